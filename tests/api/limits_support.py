"""What the limits tests share: the services of the registry, and their routes as test cases."""

from __future__ import annotations

from typing import Any

import pytest

from shared.registry import SERVICES
from tests.api.conftest import operations

NAMES = [service.name for service in SERVICES]


def route_cases(*, body: bool = False, paged: bool = False) -> list[Any]:
    """Every route of every service as `(name, method, path)`: only those taking a body, or
    only those taking a page, when asked."""
    cases = []
    for name in NAMES:
        for method, path, operation in operations(name):
            if body and "requestBody" not in operation:
                continue
            if paged and not any(p["name"] == "page" for p in operation.get("parameters", [])):
                continue
            cases.append(pytest.param(name, method, path, id=f"{name} {method} {path}"))
    return cases


def takes_a_body(name: str) -> bool:
    return any(method == "POST" and "requestBody" in op for method, _, op in operations(name))


BODY_NAMES = [name for name in NAMES if takes_a_body(name)]
"""The services with a route that takes a body (the coordination office reads only, so far)."""
