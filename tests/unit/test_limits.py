"""The request guard's parts: how deep a JSON body nests, and which limit a route has."""

from __future__ import annotations

import json

import pytest
from fastapi import APIRouter

from shared.limits import DEFAULT_BODY_LIMIT, BodyLimits, MiB, nesting_depth


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("", 0),
        ("42", 0),
        ('"[[[{{{"', 0),  # brackets inside a string do not nest
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('{"a": "\\"[[[", "b": [[]]}', 3),  # an escaped quote does not end the string
        ("[" * 40 + "]" * 40, 40),
        ("[]" * 1000, 1),
    ],
)
def test_the_nesting_depth_of_a_json_text(text: str, depth: int) -> None:
    assert nesting_depth(text.encode()) == depth


def test_the_nesting_depth_of_a_body_at_the_limit_is_found_at_once() -> None:
    wide = json.dumps([[i, {"k": [i]}] for i in range(60_000)]).encode()
    assert len(wide) > DEFAULT_BODY_LIMIT // 2

    assert nesting_depth(wide) == 4


def test_a_route_takes_the_limit_it_declares_and_the_others_the_default() -> None:
    router = APIRouter(prefix="/v1")

    @router.post("/evidence/{case_id}", max_body_size=8 * MiB)
    def evidence(case_id: str) -> None: ...

    @router.post("/notes")
    def notes() -> None: ...

    limits = BodyLimits.of([router])

    assert limits.for_request("POST", "/v1/evidence/abc") == 8 * MiB
    assert limits.for_request("PUT", "/v1/evidence/abc") == DEFAULT_BODY_LIMIT
    assert limits.for_request("POST", "/v1/evidence/abc/more") == DEFAULT_BODY_LIMIT
    assert limits.for_request("POST", "/v1/notes") == DEFAULT_BODY_LIMIT


def test_a_router_declares_the_limit_of_its_routes_and_a_route_its_own() -> None:
    router = APIRouter(prefix="/v1", max_body_size=2 * MiB)

    @router.post("/bulk")
    def bulk() -> None: ...

    @router.post("/tiny", max_body_size=1024)
    def tiny() -> None: ...

    limits = BodyLimits.of([router])

    assert limits.for_request("POST", "/v1/bulk") == 2 * MiB
    assert limits.for_request("POST", "/v1/tiny") == 1024
