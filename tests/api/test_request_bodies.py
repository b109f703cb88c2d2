"""A request body on every service: one over its route's limit is a 413 before the token is
looked at, even streamed; without a token it is a 401 before it is parsed; a malformed one is a
422 naming the body (routes found in each service's OpenAPI document)."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, Body, FastAPI
from fastapi.testclient import TestClient

from shared.limits import DEFAULT_BODY_LIMIT, MAX_NESTING, MiB
from shared.registry import SERVICES_BY_NAME
from tests.api.conftest import Services, operations, spec_of
from tests.api.limits_support import BODY_NAMES, NAMES, route_cases
from tests.support import Headers, error_of, invalid, ok, quick_settings, reason_for, token

OVER_THE_LIMIT = DEFAULT_BODY_LIMIT + 1
JSON = {"content-type": "application/json"}
BODY_ROUTES = route_cases(body=True)


# --- the body limit, before the token -------------------------------------------------------------


@pytest.mark.parametrize(("name", "method", "path"), BODY_ROUTES)
def test_a_body_over_the_limit_is_413_before_the_token_is_looked_at(
    services: Services, name: str, method: str, path: str
) -> None:
    response = services(name).request(method, path, content=b"x" * OVER_THE_LIMIT, headers=JSON)

    error = error_of(response, 413, "body_too_large")
    assert str(DEFAULT_BODY_LIMIT) in error["message"]
    assert error["details"] == [{"field": "body", "reason": error["message"]}]
    assert response.headers["connection"] == "close"


@pytest.mark.parametrize(("name", "method", "path"), BODY_ROUTES)
def test_a_body_at_the_limit_is_read(services: Services, name: str, method: str, path: str) -> None:
    padding = " " * (DEFAULT_BODY_LIMIT - 2)  # whitespace around JSON is still JSON
    content = ("{}" + padding).encode()
    assert len(content) == DEFAULT_BODY_LIMIT

    response = services(name).request(
        method, path, content=content, headers={**JSON, **services.token(name)}
    )

    assert response.status_code not in (413, 500), response.text


def _declared(operation: dict[str, Any], status: str) -> object:
    """The schema an operation declares for the JSON answer of `status`."""
    content = operation["responses"].get(status, {}).get("content", {})
    return content.get("application/json", {}).get("schema")


@pytest.mark.parametrize("name", NAMES)
def test_every_v1_route_declares_the_413_in_the_error_shape(name: str) -> None:
    error_shape = {"$ref": "#/components/schemas/ErrorResponse"}

    undeclared = [
        (method, path)
        for method, path, operation in operations(name)
        if path.startswith("/v1/") and _declared(operation, "413") != error_shape
    ]

    assert undeclared == []


class Streamed:
    """A request body arriving in 64 KiB chunks, without a length, as a chunked upload would:
    counts how many chunks the service asked for."""

    CHUNK = 64 * 1024

    def __init__(self, total: int) -> None:
        self.left = total
        self.pulled = 0

    async def receive(self) -> dict[str, Any]:
        size = min(self.CHUNK, self.left)
        self.left -= size
        self.pulled += 1
        return {"type": "http.request", "body": b"x" * size, "more_body": self.left > 0}


def call_asgi(app: FastAPI, path: str, headers: Headers, body: Streamed) -> tuple[int, bytes]:
    """POST `body` to `app` as a server would, without a Content-Length: status and body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"content-type", b"application/json"),
            (b"transfer-encoding", b"chunked"),
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, body.receive, send))  # type: ignore[arg-type]
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def first_body_route(name: str) -> str:
    return next(
        path for method, path, op in operations(name) if method == "POST" and "requestBody" in op
    )


@pytest.mark.parametrize("name", BODY_NAMES)
def test_a_streamed_body_is_refused_as_soon_as_it_passes_the_limit(
    services: Services, name: str
) -> None:
    app = services(name).app
    assert isinstance(app, FastAPI)
    huge = Streamed(200 * MiB)

    status, answer = call_asgi(app, first_body_route(name), services.token(name), huge)

    assert status == 413
    assert json.loads(answer)["error"]["code"] == "body_too_large"
    # Read up to the limit and one chunk more, never the 200 MiB.
    assert huge.pulled <= DEFAULT_BODY_LIMIT // Streamed.CHUNK + 1


@pytest.mark.parametrize("name", BODY_NAMES)
def test_without_a_token_a_streamed_body_is_not_read_at_all(services: Services, name: str) -> None:
    app = services(name).app
    assert isinstance(app, FastAPI)
    huge = Streamed(200 * MiB)

    status, answer = call_asgi(app, first_body_route(name), {}, huge)

    assert status == 401
    assert json.loads(answer)["error"]["code"] == "unauthenticated"
    assert huge.pulled == 0


class LargerBody:
    """A route that declares a larger limit than the default, added to a service."""

    PATH = "/v1/limits-test/bulk"
    LIMIT = 2 * MiB

    @staticmethod
    def router() -> APIRouter:
        router = APIRouter()

        @router.post(LargerBody.PATH, max_body_size=LargerBody.LIMIT)
        def bulk(text: str = Body(embed=True)) -> dict[str, int]:
            return {"length": len(text)}

        return router


@pytest.mark.parametrize("name", BODY_NAMES)
def test_a_route_may_declare_a_larger_limit_than_the_default(tmp_path: Path, name: str) -> None:
    spec = spec_of(name)
    settings = quick_settings(tmp_path / "var", workers=False)
    headers = {**JSON, **token(settings, SERVICES_BY_NAME[name].department)}
    app = dataclasses.replace(spec, routers=[*spec.routers, LargerBody.router()]).build(settings)
    bigger = json.dumps({"text": "x" * (DEFAULT_BODY_LIMIT + MiB // 2)})

    with TestClient(app) as client:
        taken = client.post(LargerBody.PATH, content=bigger, headers=headers)
        too_big = json.dumps({"text": "x" * LargerBody.LIMIT})
        refused = client.post(LargerBody.PATH, content=too_big, headers=headers)
        elsewhere = client.post(first_body_route(name), content=bigger, headers=headers)

    assert taken.status_code == 200, taken.text
    assert taken.json() == {"length": DEFAULT_BODY_LIMIT + MiB // 2}
    assert str(LargerBody.LIMIT) in error_of(refused, 413, "body_too_large")["message"]
    assert str(DEFAULT_BODY_LIMIT) in error_of(elsewhere, 413, "body_too_large")["message"]


# --- the token, before the body -------------------------------------------------------------------


@pytest.mark.parametrize(("name", "method", "path"), BODY_ROUTES)
def test_without_a_token_a_malformed_body_is_401_not_422(
    services: Services, name: str, method: str, path: str
) -> None:
    response = services(name).request(method, path, content=b"{not json", headers=JSON)

    error_of(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"] == 'Bearer realm="luohu"'


@pytest.mark.parametrize("name", BODY_NAMES)
def test_a_refused_token_is_401_with_an_invalid_token_challenge(
    services: Services, name: str
) -> None:
    response = services(name).post(
        first_body_route(name), json={}, headers={"Authorization": "Bearer not-a-token"}
    )

    error_of(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"] == 'Bearer realm="luohu", error="invalid_token"'


@pytest.mark.parametrize("name", NAMES)
def test_the_operational_routes_need_no_token(services: Services, name: str) -> None:
    assert ok(services(name).get("/healthz")) == {"status": "ok", "service": name}
    assert ok(services(name).get("/readyz"))["ready"] is True


# --- malformed bodies: 422 naming the body ------------------------------------------------------


@pytest.mark.parametrize(("name", "method", "path"), BODY_ROUTES)
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"name": "\xff\xfe"}', "not UTF-8"),
        (b"[" * 10_000 + b"]" * 10_000, f"nests deeper than {MAX_NESTING}"),
        (b'{"a": ' * (MAX_NESTING + 1) + b"1" + b"}" * (MAX_NESTING + 1), "nests deeper"),
        (b"{not json", "not valid JSON"),
    ],
    ids=["invalid UTF-8", "10000 levels", f"{MAX_NESTING + 1} levels", "JSON syntax"],
)
def test_a_malformed_body_is_422_naming_the_body(
    services: Services, name: str, method: str, path: str, content: bytes, reason: str
) -> None:
    response = services(name).request(
        method, path, content=content, headers={**JSON, **services.token(name)}
    )

    assert reason in reason_for(invalid(response), "body")


@pytest.mark.parametrize(("name", "method", "path"), BODY_ROUTES)
def test_a_body_nested_as_deep_as_allowed_reaches_the_route(
    services: Services, name: str, method: str, path: str
) -> None:
    deep = b'{"a": ' * (MAX_NESTING - 1) + b"[]" + b"}" * (MAX_NESTING - 1)

    response = services(name).request(
        method, path, content=deep, headers={**JSON, **services.token(name)}
    )

    assert response.status_code != 500, response.text
    if response.status_code == 422:
        reasons = " ".join(d["reason"] for d in response.json()["error"]["details"])
        assert "nests deeper" not in reasons
