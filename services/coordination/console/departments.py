"""Calling a department's own API as the signed-in official: the console acts for no bureau.

Each call carries the official's own token, so the department checks it as it checks any
caller, and refuses what that official may not do. One pooled `httpx.Client` serves the
process (`departments(request)`); each service's base URL comes from `LUOHU_SERVICE_URLS`, else
the contract's port on this machine. What comes back is an `Answer`: the department's record,
or why not, in words the page shows beside the field they concern.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import Request

from shared.identity import mask_identity_numbers
from shared.registry import SERVICE_PORTS
from shared.settings import Settings

TIMEOUT = httpx.Timeout(10.0, connect=3.0)
"""A department that does not answer within this is reported as unreachable, not waited on."""

FORM = ""
"""The key of an error that concerns the whole form, not one of its fields."""


@dataclass(frozen=True)
class Answer:
    """A department's answer: its record (2xx), or its refusal and the reasons by field."""

    status: int
    record: dict[str, Any] | None = None
    message: str | None = None
    """The refusal's text (a 409's or 404's, or why the department could not be reached)."""
    errors: Mapping[str, str] = field(default_factory=dict)
    """A 422's reasons by the name of what they refuse: a fact by its own name
    (`housing.monthly_household_income`), another field by its name, `FORM` for the body."""
    rows: list[Any] = field(default_factory=list)
    """The list a route answers with instead of a record (hukou's targets of a year)."""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def service_urls(settings: Settings) -> dict[str, str]:
    """Every service's base URL: `LUOHU_SERVICE_URLS`, else its port (+ offset) on this host."""
    return {
        name: settings.service_urls.get(name, f"http://127.0.0.1:{port + settings.port_offset}")
        for name, port in SERVICE_PORTS.items()
    }


class Departments:
    """The departments' APIs, over one pooled client, each call with the official's token."""

    def __init__(
        self, urls: Mapping[str, str], *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.urls = dict(urls)
        self.client = httpx.Client(timeout=TIMEOUT, transport=transport, follow_redirects=False)

    def supply_information(
        self,
        token: str,
        service: str,
        settlement_id: str,
        facts: Mapping[str, Any],
        *,
        member_index: int | None = None,
    ) -> Answer:
        """`POST /v1/settlements/{id}/information`: the department decides again at once."""
        body = {"member_index": member_index, "facts": dict(facts)}
        path = f"/v1/settlements/{settlement_id}/information"
        return self._call(token, service, "POST", path, json=body)

    def record(self, token: str, service: str, settlement_id: str) -> Answer:
        """`GET /v1/settlements/{id}`: the department's own record of the settlement."""
        return self._call(token, service, "GET", f"/v1/settlements/{settlement_id}")

    def replay(self, token: str, service: str) -> Answer:
        """`POST /v1/dead-letters/replay`: the service's dead letters sent again."""
        return self._call(token, service, "POST", "/v1/dead-letters/replay")

    def targets(self, token: str, year: int) -> Answer:
        """`GET /v1/settlement-targets/{year}` of hukou: each county's target (二.7) as `rows`."""
        return self._call(token, "hukou", "GET", f"/v1/settlement-targets/{year}")

    def close(self) -> None:
        self.client.close()

    def _call(self, token: str, service: str, method: str, path: str, **body: Any) -> Answer:
        headers = {"Authorization": f"Bearer {token}"}
        try:
            response = self.client.request(
                method, self.urls[service] + path, headers=headers, **body
            )
        except httpx.HTTPError as exc:
            return Answer(status=503, message=f"无法连接该部门的系统({type(exc).__name__})")
        return answer_of(response)


def answer_of(response: httpx.Response) -> Answer:
    """The department's response as an `Answer` (its error body is the contract's)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.is_success:
        if isinstance(body, list):
            return Answer(response.status_code, rows=body)
        return Answer(response.status_code, record=body if isinstance(body, dict) else None)
    error = body.get("error", {}) if isinstance(body, dict) else {}
    message = str(error.get("message") or f"HTTP {response.status_code}")
    errors: dict[str, str] = {}
    for detail in error.get("details", []):
        name = str(detail.get("field") or FORM).removeprefix("facts.")
        # One field refused twice (its owner, then its type) reads as one sentence.
        reason = mask_identity_numbers(str(detail.get("reason", "")))
        errors[name] = f"{errors[name]};{reason}" if name in errors else reason
    return Answer(response.status_code, message=mask_identity_numbers(message), errors=errors)


_MAKING = threading.Lock()


def departments(request: Request) -> Departments:
    """The process's one client of the departments (made on first use, kept on the app)."""
    state = request.app.state
    with _MAKING:
        found: Departments | None = getattr(state, "departments", None)
        if found is None:
            found = state.departments = Departments(service_urls(state.settings))
    return found
