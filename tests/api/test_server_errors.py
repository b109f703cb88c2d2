"""A 500 on every service says it closes the connection, so a client's next request goes down
a new one and succeeds."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import APIRouter
from fastapi.testclient import TestClient

from shared.registry import SERVICES_BY_NAME
from shared.service import ServiceSpec
from tests.api.conftest import spec_of
from tests.api.limits_support import NAMES
from tests.support import Headers, error_of, quick_settings, token


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
