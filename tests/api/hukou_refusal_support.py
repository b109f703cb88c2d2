"""Helpers for the tests of refusing and reviewing a refusal (复核): officers named by their
tokens, the calls, and what hukou's audit log holds of an application."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.hukou.models import TABLES
from shared.auth import issue_token
from shared.settings import Settings
from tests.api.conftest import application
from tests.api.hukou_support import APPLICATIONS, HukouApiTests, reject, submitted
from tests.support import Headers


class RefusalApiTests(HukouApiTests):
    """Hukou's fixtures, and two officers of public security, each named by their token."""

    @pytest.fixture
    def officer_wang(self, settings: Settings) -> Headers:
        return officer_token(settings, "ps-0001")

    @pytest.fixture
    def officer_li(self, settings: Settings) -> Headers:
        return officer_token(settings, "ps-0002")


def officer_token(settings: Settings, officer: str) -> Headers:
    """The Authorization header of a public security token naming `officer`."""
    issued = issue_token(settings, dept="public_security", officer=officer)
    return {"Authorization": f"Bearer {issued}"}


def ask_review(
    client: TestClient, headers: Headers, application_id: str, grounds: str = "the lease is real"
) -> httpx.Response:
    return client.post(
        f"{APPLICATIONS}/{application_id}/review", headers=headers, json={"grounds": grounds}
    )


def decide_review(
    client: TestClient,
    headers: Headers,
    application_id: str,
    outcome: str = "overturned",
    reason: str = "the lease was checked with the landlord: it is real",
) -> httpx.Response:
    return client.post(
        f"{APPLICATIONS}/{application_id}/review/decision",
        headers=headers,
        json={"outcome": outcome, "reason": reason},
    )


def rejected_under_review(
    client: TestClient, headers: Headers, body: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An application submitted and rejected with `headers`, the family asking for review."""
    created = submitted(client, headers, body or application())
    assert reject(client, headers, created["id"]).status_code == 200
    assert ask_review(client, headers, created["id"]).status_code == 201
    return created


def reviews(client: TestClient, headers: Headers, application_id: str) -> list[dict[str, Any]]:
    answer = client.get(f"{APPLICATIONS}/{application_id}/reviews", headers=headers)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()
    return found


def audit_trail(client: TestClient, application_id: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Each entry of hukou's audit log on the application: action, actor and detail."""
    audit = TABLES.audit_log
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    with runtime.db.read_only() as session:
        rows = session.execute(
            select(audit.c.action, audit.c.actor, audit.c.detail)
            .where(audit.c.entity_id == application_id)
            .order_by(audit.c.id)
        ).all()
    return [(row.action, row.actor, row.detail) for row in rows]
