"""Limits and bad input on every service: what no route should read is refused before it is read.

Each check is run on every service of the registry, on every route it concerns (found in the
service's OpenAPI document): a body over the limit is a 413 before the token is looked at, no
token is a 401 before the body is parsed, a malformed body or a page or year out of range is a
422 naming it, and a 500 closes its connection honestly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, Body, FastAPI
from fastapi.testclient import TestClient

from shared.limits import DEFAULT_BODY_LIMIT, MAX_NESTING, MiB
from shared.pagination import LAST_PAGE
from shared.registry import SERVICES, SERVICES_BY_NAME
from shared.service import ServiceSpec
from tests.api.conftest import Services, operations, spec_of
from tests.api.conftest import application as settlement_application
from tests.support import (
    WUJIANG,
    Headers,
    error_of,
    invalid,
    ok,
    person_id,
    quick_settings,
    reason_for,
    token,
)

NAMES = [service.name for service in SERVICES]
OVER_THE_LIMIT = DEFAULT_BODY_LIMIT + 1
JSON = {"content-type": "application/json"}


def _cases(*, body: bool = False, paged: bool = False) -> list[Any]:
    cases = []
    for name in NAMES:
        for method, path, operation in operations(name):
            if body and "requestBody" not in operation:
                continue
            if paged and not any(p["name"] == "page" for p in operation.get("parameters", [])):
                continue
            cases.append(pytest.param(name, method, path, id=f"{name} {method} {path}"))
    return cases


BODY_ROUTES = _cases(body=True)
PAGED_ROUTES = _cases(paged=True)


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


@pytest.mark.parametrize("name", NAMES)
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


@pytest.mark.parametrize("name", NAMES)
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


@pytest.mark.parametrize("name", NAMES)
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


@pytest.mark.parametrize("name", NAMES)
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


# --- pages, years and URLs out of range -----------------------------------------------------------


@pytest.mark.parametrize(("name", "method", "path"), PAGED_ROUTES)
@pytest.mark.parametrize("parameter", ["page", "page_size"])
@pytest.mark.parametrize("value", [10**19, LAST_PAGE + 1, 0, -1])
def test_a_page_out_of_range_is_422_naming_it(
    services: Services, name: str, method: str, path: str, parameter: str, value: int
) -> None:
    response = services(name).request(
        method, path, params={parameter: value}, headers=services.token(name)
    )

    assert reason_for(invalid(response), parameter)


@pytest.mark.parametrize(("name", "method", "path"), PAGED_ROUTES)
def test_the_last_page_is_an_empty_page(
    services: Services, name: str, method: str, path: str
) -> None:
    search = {"json": {}} if method == "POST" else {}  # a search with no filter: every row
    response = services(name).request(
        method, path, params={"page": LAST_PAGE}, headers=services.token(name), **search
    )

    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


@pytest.mark.parametrize("year", [0, 1, 2015, 2101, 9999, 10_000, 10**19, -1])
def test_a_settlement_target_year_out_of_range_is_422_naming_it(
    services: Services, year: int
) -> None:
    response = services("hukou").get(
        f"/v1/settlement-targets/{year}", headers=services.token("hukou")
    )

    assert reason_for(invalid(response), "year")


@pytest.mark.parametrize("year", [2016, 2100])
def test_the_settlement_target_years_run_from_2016_to_2100(services: Services, year: int) -> None:
    response = services("hukou").get(
        f"/v1/settlement-targets/{year}", headers=services.token("hukou")
    )

    assert response.status_code == 200, response.text
    assert {target["year"] for target in response.json()} == {year}


def _lookup_routes() -> list[Any]:
    cases = []
    for name in NAMES:
        for method, path, _ in operations(name):
            if method == "GET" and path.startswith("/v1/") and path.endswith("/x"):
                cases.append(pytest.param(name, path, id=f"{name} {path}"))
    return cases


@pytest.mark.parametrize(("name", "path"), _lookup_routes())
@pytest.mark.parametrize("escaped", ["%00", "a%0Ab", "%7F"])
def test_a_control_character_in_a_path_is_422(
    services: Services, name: str, path: str, escaped: str
) -> None:
    response = services(name).get(path.removesuffix("x") + escaped, headers=services.token(name))

    assert "control character" in reason_for(invalid(response), "path")


@pytest.mark.parametrize(("name", "method", "path"), PAGED_ROUTES)
def test_a_control_character_in_a_query_parameter_is_422_naming_it(
    services: Services, name: str, method: str, path: str
) -> None:
    response = services(name).request(method, f"{path}?page=1%00", headers=services.token(name))

    assert "U+0000" in reason_for(invalid(response), "page")


# --- a 500 says it closes the connection ----------------------------------------------------------


def failing(name: str) -> ServiceSpec:
    """The service with one more route, which fails as a bug would."""
    router = APIRouter()

    @router.get("/v1/limits-test/failure")
    def fail() -> None:
        raise RuntimeError("a bug")

    spec = spec_of(name)
    return dataclasses.replace(spec, routers=[*spec.routers, router])


@pytest.mark.parametrize("name", NAMES)
def test_a_server_error_answers_with_connection_close(tmp_path: Path, name: str) -> None:
    settings = quick_settings(tmp_path / "var", workers=False)
    headers = token(settings, SERVICES_BY_NAME[name].department)

    with TestClient(failing(name).build(settings), raise_server_exceptions=False) as client:
        response = client.get("/v1/limits-test/failure", headers=headers)

    error_of(response, 500, "internal_error")
    assert response.headers["connection"] == "close"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Headers]]:
    """hukou, with the failing route, behind a real HTTP server: its base URL and a token."""
    settings = quick_settings(tmp_path / "var", workers=False)
    app = failing("hukou").build(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="critical")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", token(settings, "public_security")
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_after_a_server_error_the_clients_next_request_succeeds(
    served: tuple[str, Headers],
) -> None:
    url, headers = served
    with httpx.Client(base_url=url) as client:
        # The server drops the connection after each 500; without `Connection: close` the
        # client would send its next request down the dropped one and fail.
        for _ in range(5):
            assert client.get("/v1/limits-test/failure", headers=headers).status_code == 500
            assert client.get("/healthz").status_code == 200


# --- text: names, birth dates, NUL ----------------------------------------------------------------

HUKOU_NAMES = ["applicant.name", "household[0].name"]
PERMIT_NAMES = ["name", "guardian.name"]
BAD_IN_NAMES = [
    "\x00",
    "\x07",
    "\n",
    "\x7f",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u202e",
]


def permit_application(**overrides: Any) -> dict[str, Any]:
    """An adult registered in Meizhou, resident in 武江区 since 2020, employed."""
    body: dict[str, Any] = {
        "id_number": person_id(date(1990, 5, 1)),
        "name": "王五",
        "hukou_region_code": "441402",
        "region_code": WUJIANG,
        "address": "武江区沿江路 1 号",
        "resident_since": "2020-01-01",
        "basis": "employment",
    }
    body.update(overrides)
    return body


def set_field(body: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    """`body` with `field` ("a.b", "a[0].b") set to `value`."""
    target: Any = body
    parts = field.replace("[", ".[").split(".")
    for part in parts[:-1]:
        target = target[int(part[1:-1])] if part.startswith("[") else target[part]
    target[parts[-1]] = value
    return body


def total(client: TestClient, path: str, headers: Headers) -> int:
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["total"])


def refused_field(
    services: Services, name: str, path: str, body: dict[str, Any], field: str
) -> str:
    """The reason `field` is refused for; nothing is written."""
    client, headers = services(name), services.token(name)
    before = total(client, path, headers)

    reason = reason_for(invalid(client.post(path, json=body, headers=headers)), field)

    assert total(client, path, headers) == before
    return reason


@pytest.mark.parametrize("char", BAD_IN_NAMES, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("field", HUKOU_NAMES)
def test_a_settlement_name_with_a_control_or_invisible_character_is_refused(
    services: Services, field: str, char: str
) -> None:
    body = set_field(settlement_application(), field, f"张{char}三")

    reason = refused_field(services, "hukou", "/v1/settlement-applications", body, field)

    assert f"U+{ord(char):04X}" in reason


@pytest.mark.parametrize("char", BAD_IN_NAMES, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("field", PERMIT_NAMES)
def test_a_permit_name_with_a_control_or_invisible_character_is_refused(
    services: Services, field: str, char: str
) -> None:
    guardian = {"id_number": person_id(date(1970, 1, 1)), "name": "王父", "relation": "parent"}
    body = set_field(permit_application(guardian=guardian), field, f"王{char}五")

    reason = refused_field(services, "residence_permit", "/v1/residence-permits", body, field)

    assert f"U+{ord(char):04X}" in reason


@pytest.mark.parametrize("birth", [date(1000, 1, 1), date(1899, 12, 31)])
@pytest.mark.parametrize("field", ["applicant.id_number", "household[1].id_number"])
def test_a_settlement_member_born_before_1900_is_refused(
    services: Services, field: str, birth: date
) -> None:
    body = set_field(settlement_application(), field, person_id(birth))

    reason = refused_field(services, "hukou", "/v1/settlement-applications", body, field)

    assert "lies before 1900-01-01" in reason


def test_a_given_birth_date_before_1900_is_refused(services: Services) -> None:
    body = set_field(settlement_application(), "applicant.birth_date", "1000-01-01")

    reason = refused_field(
        services, "hukou", "/v1/settlement-applications", body, "applicant.birth_date"
    )

    assert "on or after 1900-01-01" in reason


def test_a_permit_for_someone_born_before_1900_is_refused(services: Services) -> None:
    body = permit_application(id_number=person_id(date(1000, 6, 1)))

    reason = refused_field(services, "residence_permit", "/v1/residence-permits", body, "id_number")

    assert "lies before 1900-01-01" in reason


@pytest.mark.parametrize(
    ("name", "path", "body", "field"),
    [
        ("hukou", "/v1/settlement-applications", settlement_application(), "residence.address"),
        ("residence_permit", "/v1/residence-permits", permit_application(), "address"),
    ],
    ids=["hukou", "residence_permit"],
)
def test_nul_in_any_text_of_a_body_is_refused(
    services: Services, name: str, path: str, body: dict[str, Any], field: str
) -> None:
    reason = refused_field(services, name, path, set_field(body, field, "沿江路\x001 号"), field)

    assert "U+0000" in reason
