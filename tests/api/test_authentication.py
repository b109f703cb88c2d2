"""Every service refuses whoever does not show a token it trusts: without a token, or with one
that is not a token at all, every `/v1/` route is a 401 in the contract's error shape."""

from __future__ import annotations

import pytest

from shared.registry import SERVICES
from tests.api.conftest import Services, operations
from tests.support import error_of

NAMES = [service.name for service in SERVICES]
V1_ROUTES = [
    pytest.param(name, method, path, id=f"{name} {method} {path}")
    for name in NAMES
    for method, path, _ in operations(name)
    if path.startswith("/v1/")
]


def first_read_route(name: str) -> str:
    return next(path for method, path, _ in operations(name) if method == "GET" and "/v1/" in path)


@pytest.mark.parametrize(("name", "method", "path"), V1_ROUTES)
def test_without_a_token_every_v1_route_is_401(
    services: Services, name: str, method: str, path: str
) -> None:
    error_of(services(name).request(method, path, json={}), 401, "unauthenticated")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "authorization", ["Bearer not-a-jwt", "Bearer ", "Basic dXNlcjpwYXNz", "token"]
)
def test_a_garbage_token_is_401(services: Services, name: str, authorization: str) -> None:
    response = services(name).get(first_read_route(name), headers={"Authorization": authorization})

    error_of(response, 401, "unauthenticated")
