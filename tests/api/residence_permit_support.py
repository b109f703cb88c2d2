"""Helpers for the residence permit API tests: the service, applications, requests, events.

The fixtures are found by name: a test module imports the ones it takes. What every service's
tests share (answers, the event log, settlements, waiting) is `tests.support`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.residence_permit.app import build
from services.residence_permit.models import TABLES, PermitClosure
from shared import clock
from shared.dates import anniversary
from shared.db import Database
from shared.settings import Settings
from shared.settlement import SettlementApproved
from tests.settlements import member
from tests.settlements import settlement as approved_settlement
from tests.support import (
    WUJIANG,
    Headers,
    events_on,
    eventually,
    invalid,
    ok,
    person_id,
    quick_settings,
    token,
)

PERMITS = "/v1/residence-permits"
REGISTRATIONS = "/v1/residence-registrations"
SEARCH = "/v1/residence-permits/search"
HISTORY = "/v1/residence-history"
CHECK = "/v1/entitlements/check"
PROCESSED_TOPIC = "residence_permit.settlement.processed"
DEAD_LETTERS = "deadletter.residence_permit"
ZHENJIANG, NANXIONG, LECHANG = "440204", "440282", "440281"
ART_2 = "居住证暂行条例 第二条"
STILL_RESIDENT = {"still_resident": True}
ORIGIN = "441402"  # 梅江区, Meizhou: where the migrants are registered


# --- the service ---------------------------------------------------------------------------------


class ResidencePermitApiTests:
    """The fixtures every residence permit API test class takes, by inheriting them, as the
    other services' tests do: one service for the class, with its outbox relay and settlement
    consumer, on a folder of its own (starting one costs a quarter of a second, so the class's
    tests share it and keep to people and counties of their own)."""

    @pytest.fixture(scope="class")
    @classmethod
    def service(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
        folder = tmp_path_factory.mktemp("residence_permit")
        with TestClient(build(quick_settings(folder))) as client:
            yield client

    @pytest.fixture
    def settings(self, service: TestClient) -> Settings:
        """The class service's settings: `auth` signs tokens for them, events go on their log."""
        settings: Settings = service.app.state.runtime.settings  # type: ignore[attr-defined]
        return settings

    @pytest.fixture
    def officer(self, settings: Settings) -> Headers:
        return token(settings, "public_security")

    @pytest.fixture
    def auditor(self, settings: Settings) -> Headers:
        return token(settings, "audit")


# --- people and applications ----------------------------------------------------------------------


def today() -> date:
    """Today in Shaoguan, as the service counts it."""
    return clock.today()


def years_ago(years: int, *, days: int = 0) -> date:
    """`years` years before today (1 March for a 29 February that does not exist), less `days`."""
    return anniversary(today(), -years) - timedelta(days=days)


def application(**overrides: Any) -> dict[str, Any]:
    """An adult registered in Meizhou, resident in 武江区 for two years, employed."""
    body: dict[str, Any] = {
        "id_number": person_id(date(1990, 5, 1)),
        "name": "王五",
        "hukou_region_code": ORIGIN,
        "region_code": WUJIANG,
        "address": "武江区沿江路 1 号",
        "resident_since": years_ago(2).isoformat(),
        "basis": "employment",
        "evidence": "劳动合同",
    }
    body.update(overrides)
    return body


def issued_on(applied: date, **overrides: Any) -> dict[str, Any]:
    """An application lodged on `applied`, resident for more than a year before it."""
    since = applied - timedelta(days=400)
    return application(
        applied_on=applied.isoformat(), resident_since=since.isoformat(), **overrides
    )


# --- requests and answers -------------------------------------------------------------------------


def registration(**overrides: Any) -> dict[str, Any]:
    """The registration of the adult of `application()`: registered in 武江区 two years ago."""
    adult = application()
    body = {key: adult[key] for key in _REGISTERED}
    body["registered_on"] = adult["resident_since"]
    body.update(overrides)
    return body


_REGISTERED = ("id_number", "name", "hukou_region_code", "region_code", "address")


def register(client: TestClient, headers: Headers, body: dict[str, Any]) -> Any:
    return client.post(REGISTRATIONS, json=body, headers=headers)


def registered(client: TestClient, headers: Headers, body: dict[str, Any]) -> dict[str, Any]:
    return ok(register(client, headers, body), 201)


def apply(client: TestClient, headers: Headers, body: dict[str, Any]) -> Any:
    """Apply as a registered resident: an application declaring `resident_since` first
    registers that residence (unless the person's is registered already, a 409), in the county
    and at the address applied for (without the application's `Idempotency-Key`)."""
    if "resident_since" in body:
        facts = {key: body[key] for key in _REGISTERED if key in body}
        unkeyed = {name: value for name, value in headers.items() if name != "Idempotency-Key"}
        register(client, unkeyed, {**facts, "registered_on": body["resident_since"]})
    return client.post(PERMITS, json=body, headers=headers)


def issued(client: TestClient, headers: Headers, body: dict[str, Any]) -> dict[str, Any]:
    return ok(apply(client, headers, body), 201)


def endorse(client: TestClient, headers: Headers, permit_id: str, body: Any) -> Any:
    return client.post(f"{PERMITS}/{permit_id}/endorsements", json=body, headers=headers)


def endorsed_today(client: TestClient, headers: Headers, permit_id: str) -> dict[str, Any]:
    """The 201 of an endorsement of a holder still resident, made today."""
    return ok(endorse(client, headers, permit_id, STILL_RESIDENT), 201)


def fetch(client: TestClient, headers: Headers, permit_id: str) -> dict[str, Any]:
    return ok(client.get(f"{PERMITS}/{permit_id}", headers=headers), 200)


def listed(client: TestClient, headers: Headers, **params: Any) -> dict[str, Any]:
    return ok(client.get(PERMITS, headers=headers, params=params), 200)


def searched(client: TestClient, headers: Headers, **body: Any) -> dict[str, Any]:
    """The page `POST /v1/residence-permits/search` answers: the filters in the body."""
    return ok(client.post(SEARCH, headers=headers, json=body), 200)


def entitlements_of(client: TestClient, headers: Headers, permit_id: str) -> dict[str, Any]:
    return ok(client.get(f"{PERMITS}/{permit_id}/entitlements", headers=headers), 200)


def check(client: TestClient, headers: Headers, id_number: str, service: str) -> Any:
    body = {"id_number": id_number, "service": service}
    return client.post(CHECK, headers=headers, json=body)


def residence_history(client: TestClient, headers: Headers, id_number: str) -> Any:
    return client.post(HISTORY, headers=headers, json={"id_number": id_number})


def field_reasons(response: httpx.Response) -> dict[str, str]:
    """The 422's details as {field: reason}."""
    return {d["field"]: d["reason"] for d in invalid(response)}


# --- settlements and the event log ---------------------------------------------------------------


def settlement(
    members: list[tuple[str, str, date]],
    *,
    settlement_id: str | None = None,
    decided_at: datetime | None = None,
) -> SettlementApproved:
    """An approved settlement into 武江区 today of `members` (identity number, relation, birth)."""
    return approved_settlement(
        settlement_id=settlement_id or str(uuid.uuid4()),
        decided_at=decided_at or clock.now(),
        decision_date=today(),
        destination_region_name="440203 广东省韶关市武江区",
        members=[
            member(birth, relation, id_number=number, region=ORIGIN)
            for number, relation, birth in members
        ],
    )


def lone_settlement(**options: Any) -> SettlementApproved:
    """A settlement of one adult applicant this service has never seen."""
    return settlement([(person_id(date(1990, 1, 1)), "applicant", date(1990, 1, 1))], **options)


def wait_for(predicate: Callable[[], Any]) -> Any:
    """Poll until `predicate` returns something truthy (an event, a non-empty list); return it."""
    return eventually(lambda: predicate() or None)


def processed(settings: Settings, settlement_id: str) -> list[dict[str, Any]]:
    events = events_on(settings, PROCESSED_TOPIC)
    return [e for e in events if e["data"]["settlement_id"] == settlement_id]


def dead_letters(settings: Settings, settlement_id: str) -> list[dict[str, Any]]:
    letters = events_on(settings, DEAD_LETTERS)
    return [letter for letter in letters if letter["subject"] == settlement_id]


# --- what the service wrote ----------------------------------------------------------------------


def db_of(client: TestClient) -> Database:
    """The database of the service behind `client`."""
    db: Database = client.app.state.runtime.db  # type: ignore[attr-defined]
    return db


def closures_of(client: TestClient, permit_id: str) -> tuple[int, int]:
    """How many closure records and `permit.closed` audit entries one permit has."""
    audit_log = TABLES.audit_log
    with db_of(client).read_only() as session:
        records = session.execute(
            select(func.count()).where(PermitClosure.permit_id == permit_id)
        ).scalar_one()
        audits = session.execute(
            select(func.count()).where(
                audit_log.c.action == "permit.closed", audit_log.c.entity_id == permit_id
            )
        ).scalar_one()
    return int(records), int(audits)
