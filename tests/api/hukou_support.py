"""Helpers for the hukou service's API tests: the fixtures, bodies, calls and events.

A test class takes the fixtures by inheriting `HukouApiTests`; `tests/api/conftest.py` gives
the `hukou` client and the valid `application()` body; `tests.support` reads the answers and
errors every service shares.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.hukou.app import build
from services.hukou.models import TABLES
from shared import clock
from shared.registry import DOWNSTREAM_SERVICES
from shared.settings import Settings
from tests.api.conftest import application
from tests.conftest import TokenFactory
from tests.support import WUJIANG, Headers, events_on, ok

APPLICATIONS = "/v1/settlement-applications"
APPROVED_TYPE = "cn.gov.shaoguan.hukou.settlement.approved"
APPROVED_TOPIC = "hukou.settlement.approved"
DEPARTMENTS = DOWNSTREAM_SERVICES  # every department hukou's fan-out waits for
TRIAL = "shaoguan-2017-trial"
ZHENJIANG, QUJIANG = "440204", "440205"  # beside tests.support's WUJIANG, 440203


class HukouApiTests:
    """The fixtures every hukou API test class takes, by inheriting them."""

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        """No relay or consumer threads: stopping them costs half a second a test.

        The tests that watch the relay publish use `hukou_with_relay` instead of `hukou`.
        """
        return settings.model_copy(update={"start_workers": False})

    @pytest.fixture
    def hukou_with_relay(self, settings: Settings) -> Iterator[TestClient]:
        """The hukou service with its outbox relay running, as in production."""
        with TestClient(build(settings.model_copy(update={"start_workers": True}))) as client:
            yield client

    @pytest.fixture
    def officer(self, auth: TokenFactory) -> Headers:
        """A public security token with every scope the department holds."""
        return auth("public_security")


# --- bodies --------------------------------------------------------------------------------------


def ineligible_body(**overrides: Any) -> dict[str, Any]:
    """Eleven months insured under 二.2, which needs twelve: decided, and refused."""
    return application(
        channel="insured_one_year",
        social_insurance={
            "pension_months": 11,
            "medical_months": 11,
            "insured_region_code": WUJIANG,
            "employer_paid": True,
        },
        **overrides,
    )


def undetermined_body(**overrides: Any) -> dict[str, Any]:
    """A stable-residence application that leaves out the insurance facts 二.1 needs."""
    body = application(**overrides)
    del body["social_insurance"]
    return body


def wrong_check_character(id_number: str) -> str:
    return id_number[:17] + ("1" if id_number[17] != "1" else "2")


# --- calls ---------------------------------------------------------------------------------------


def submit(client: TestClient, headers: Headers, body: dict[str, Any]) -> httpx.Response:
    return client.post(APPLICATIONS, json=body, headers=headers)


def submitted(client: TestClient, headers: Headers, body: dict[str, Any]) -> dict[str, Any]:
    """Submit and insist on the 201; the application resource."""
    return ok(submit(client, headers, body), 201)


def approve(client: TestClient, headers: Headers, application_id: str, **kw: Any) -> httpx.Response:
    return client.post(f"{APPLICATIONS}/{application_id}/approve", headers=headers, **kw)


def reject(
    client: TestClient, headers: Headers, application_id: str, body: Any = None
) -> httpx.Response:
    body = {"ground": "false_information", "reason": "documents forged"} if body is None else body
    return client.post(f"{APPLICATIONS}/{application_id}/reject", headers=headers, json=body)


def fetch(client: TestClient, headers: Headers, application_id: str) -> dict[str, Any]:
    return ok(client.get(f"{APPLICATIONS}/{application_id}", headers=headers))


def listed(client: TestClient, headers: Headers, **params: Any) -> dict[str, Any]:
    return ok(client.get(APPLICATIONS, headers=headers, params=params))


def searched(client: TestClient, headers: Headers, **body: Any) -> dict[str, Any]:
    """The page `POST /v1/settlement-applications/search` answers: the filters in the body."""
    return ok(client.post(f"{APPLICATIONS}/search", headers=headers, json=body))


def ids(page: dict[str, Any]) -> set[str]:
    return {item["id"] for item in page["items"]}


# --- what was written ---------------------------------------------------------------------------


def assert_nothing_written(client: TestClient, headers: Headers) -> None:
    assert listed(client, headers)["total"] == 0


# --- events --------------------------------------------------------------------------------------


def approved_events(settings: Settings) -> list[dict[str, Any]]:
    """The CloudEvents on the approval topic of the embedded log, as they travel (JSON)."""
    return events_on(settings, APPROVED_TOPIC)


def outbox_rows(client: TestClient) -> list[Any]:
    outbox = TABLES.outbox
    with client.app.state.runtime.db.read_only() as session:  # type: ignore[attr-defined]
        return list(
            session.execute(select(outbox.c.topic, outbox.c.key, outbox.c.published_at)).all()
        )


def this_year() -> int:
    # Targets count approvals by the year of Shaoguan's calendar they were approved in.
    return clock.today().year
