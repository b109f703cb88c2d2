"""Helpers for the housing service's API tests: settlements, the event log, polling, errors."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.housing.handlers import SUBSCRIPTION
from services.housing.models import TABLES, HousingAssessment
from shared.events.bus import Record
from shared.events.embedded import EmbeddedBus
from shared.events.envelope import CloudEvent, to_message
from shared.settings import Settings
from shared.settlement import SETTLEMENT_APPROVED, SettledMember, SettlementApproved, approved_event
from tests.conftest import person_id

Headers = dict[str, str]

WUJIANG, ZHENJIANG, QUJIANG = "440203", "440204", "440205"
APPROVED_TOPIC = "hukou.settlement.approved"
PROCESSED_TOPIC = "housing.settlement.processed"
DEAD_LETTER_TOPIC = "deadletter.housing"


def parameter(name: str, value: float, unit: str, **overrides: Any) -> dict[str, Any]:
    """A housing parameter as LUOHU_HOUSING_PARAMETERS takes it: the test is its source."""
    return {
        "name": name,
        "value": value,
        "unit": unit,
        "valid_from": "2018-01-01",
        "source": "test fixture",
        "department": "housing",
        **overrides,
    }


INCOME_LIMIT = parameter("income_limit_per_capita", 1500, "yuan/person/month")
AREA_LIMIT = parameter("area_limit_per_capita", 15, "m2/person")
SUBSIDY_AMOUNT = parameter("rental_subsidy_amount_per_capita", 700, "yuan/person/month")
PARAMETERS = [INCOME_LIMIT, AREA_LIMIT, SUBSIDY_AMOUNT]


def settlement(**overrides: Any) -> SettlementApproved:
    """A family of three renting on the market in 武江区: 1400 yuan a person a month, no home."""
    values: dict[str, Any] = {
        "settlement_id": str(uuid.uuid4()),
        "decided_at": datetime(2019, 6, 3, 2, 0, tzinfo=UTC),
        "decision_date": date(2019, 6, 1),
        "rules_version": "shaoguan-2017-trial",
        "channel": "stable_residence",
        "destination_region_code": WUJIANG,
        "destination_address": "武江区沿江路 1 号",
        "residence": {"address": "武江区沿江路 1 号", "tenure": "rented", "since": "2018-01-01"},
        "members": [
            member(date(1988, 5, 1), "applicant"),
            member(date(1990, 2, 2), "spouse", female=True),
            member(date(2012, 3, 3), "child"),
        ],
        "housing": {"monthly_household_income": 4200, "current_area_m2": 0},
    }
    values.update(overrides)
    return SettlementApproved(**values)


def member(birth: date, relation: str, *, female: bool = False) -> SettledMember:
    return SettledMember(
        id_number=person_id(birth, female=female),
        name={"applicant": "张三", "spouse": "李四"}.get(relation, "张小"),
        birth_date=birth,
        sex="female" if female else "male",
        relation=relation,
        previous_region_code="441402",
        previous_hukou_type="rural",
    )


def assess_directly(client: TestClient, data: SettlementApproved) -> str:
    """Run the subscription's handler in a unit of work, as the consumer would, without the bus."""
    event = approved_event(data)
    with client.app.state.runtime.db.unit_of_work() as session:  # type: ignore[attr-defined]
        for handler in SUBSCRIPTION.handlers[SETTLEMENT_APPROVED]:
            handler(session, event)
    return data.settlement_id


def publish(settings: Settings, *events: tuple[CloudEvent, str]) -> None:
    """Append events (each with its key) to the embedded log, as hukou's relay would."""
    bus = EmbeddedBus(settings.event_log_path)
    try:
        bus.publish([to_message(event, key=key) for event, key in events])
    finally:
        bus.close()


def read_topic(settings: Settings, topic: str) -> list[Record]:
    bus = EmbeddedBus(settings.event_log_path)
    try:
        return bus.read(topic)
    finally:
        bus.close()


def events_on(settings: Settings, topic: str) -> list[dict[str, Any]]:
    return [json.loads(record.value) for record in read_topic(settings, topic)]


def committed(settings: Settings, topic: str = APPROVED_TOPIC) -> int:
    bus = EmbeddedBus(settings.event_log_path)
    try:
        return bus.committed("housing", topic)
    finally:
        bus.close()


def wait_for(predicate: Callable[[], bool], *, timeout: float = 10.0, what: str = "") -> None:
    """Poll until `predicate` holds: the consumer and the relay work in the background."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or 'the background workers'}")
        time.sleep(0.02)


def outbox_drained(client: TestClient) -> bool:
    outbox = TABLES.outbox
    with client.app.state.runtime.db.read_only() as session:  # type: ignore[attr-defined]
        unsent = session.execute(
            select(func.count()).where(outbox.c.published_at.is_(None))
        ).scalar_one()
    return int(unsent) == 0


def assessments_of(client: TestClient, settlement_id: str) -> int:
    with client.app.state.runtime.db.read_only() as session:  # type: ignore[attr-defined]
        count = session.execute(
            select(func.count()).where(HousingAssessment.settlement_id == settlement_id)
        ).scalar_one()
    return int(count)


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The contract's error body: `{"error": {"code", "message", "details"}}`."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], list)
    return error


def invalid(response: httpx.Response) -> list[dict[str, Any]]:
    """A 422 `invalid_input` whose every detail names a field and a reason; the details."""
    error = error_of(response, 422, "invalid_input")
    details: list[dict[str, Any]] = error["details"]
    assert details
    for detail in details:
        assert isinstance(detail["field"], str) and detail["field"]
        assert isinstance(detail["reason"], str) and detail["reason"]
    return details


def reason_for(details: list[dict[str, Any]], field: str) -> str:
    found = [d["reason"] for d in details if d["field"] == field]
    assert found, f"no detail names {field!r}: {details}"
    return str(found[0])


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body
