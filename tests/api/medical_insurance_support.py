"""Helpers for the medical insurance API tests: fixtures, a settled family, requests, the log,
polling, errors."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from services.medical_insurance.app import build
from services.medical_insurance.config import PARAMETERS
from services.medical_insurance.operations import record_settlement
from shared.events.embedded import EmbeddedBus
from shared.events.envelope import CloudEvent, new_event, to_message
from shared.registry import SETTLEMENT_APPROVED
from shared.settings import Settings
from shared.settlement import SettledMember, SettlementApproved, approved_event
from tests.conftest import TokenFactory, person_id

PARAMETERS_ENV = PARAMETERS.variable
PROCESSED_TOPIC = "medical_insurance.settlement.processed"
DECISION_DAY = date(2019, 6, 1)
WUJIANG, SHIXING, MEIJIANG = "440203", "440222", "441402"
OVERDUE_DAYS = 60  # the deadline of DECISION_DAY is then 2019-07-31
DEADLINE = DECISION_DAY + timedelta(days=OVERDUE_DAYS)

CONFIRMED = {"outcome": "confirmed", "months": 31, "coverage_end": "2019-06-30"}
NOT_INSURED = {"insured": False, "employed_with_employer_paying": False}

Headers = dict[str, str]


def parameters_json(*, presume: bool | None = True, days: int | None = OVERDUE_DAYS) -> str:
    """Local parameters as human resources would record them (values are test fixtures)."""
    common = {"valid_from": "2018-01-01", "source": "test fixture", "department": "human_resources"}
    items: list[dict[str, Any]] = []
    if days is not None:
        items.append({"name": "origin_confirmation_days", "value": days, "unit": "days", **common})
    if presume is not None:
        name = "presume_rural_members_insured_at_origin"
        items.append({"name": name, "value": presume, **common})
    return json.dumps(items)


def family(
    settlement_id: str | None = None,
    *,
    decision_date: date = DECISION_DAY,
    social_insurance: dict[str, Any] | None = None,
) -> SettlementApproved:
    """A rural family from 梅江区 settling in 武江区: the applicant insured at home with the
    employer paying; spouse and child rural (presumed insured at origin); a parent with an
    urban registration in 始兴县 about whom nothing is known."""
    settlement_id = settlement_id or str(uuid.uuid4())
    people = [
        ("applicant", date(1988, 5, 1), False, MEIJIANG, "rural"),
        ("spouse", date(1990, 2, 2), True, MEIJIANG, "rural"),
        ("child", date(2012, 3, 3), False, MEIJIANG, "rural"),
        ("parent", date(1958, 7, 7), True, SHIXING, "urban"),
    ]
    return SettlementApproved(
        settlement_id=settlement_id,
        decided_at=datetime(2019, 6, 20, 8, 0, tzinfo=UTC),
        decision_date=decision_date,
        rules_version="shaoguan-2017-trial",
        channel="stable_residence",
        destination_region_code=WUJIANG,
        members=[
            SettledMember(
                id_number=person_id(born, region, female=female),
                name="测试",
                birth_date=born,
                sex="female" if female else "male",
                relation=relation,
                previous_region_code=region,
                previous_hukou_type=hukou_type,
            )
            for relation, born, female, region, hukou_type in people
        ],
        social_insurance=social_insurance
        if social_insurance is not None
        else {
            "pension_months": 30,
            "medical_months": 30,
            "insured_region_code": MEIJIANG,
            "employer_paid": True,
        },
    )


def publish(settings: Settings, *events: CloudEvent) -> None:
    bus = EmbeddedBus(settings.event_log_path)
    try:
        bus.publish([to_message(event, key=str(event.get_subject())) for event in events])
    finally:
        bus.close()


def publish_settlement(settings: Settings, data: SettlementApproved) -> CloudEvent:
    event = approved_event(data)
    publish(settings, event)
    return event


def hukou_event(
    subject: str, data: dict[str, Any], *, type_: str = SETTLEMENT_APPROVED, **extensions: str
) -> CloudEvent:
    """An event from hukou with `data` as given: one a test has altered, or of another type."""
    return new_event(
        type_=type_, source="/luohu/hukou", subject=subject, data=data, extensions=extensions
    )


def record(client: TestClient, data: SettlementApproved) -> None:
    """Act on a settlement directly, as the consumer would, in one unit of work."""
    with client.app.state.runtime.db.unit_of_work() as session:  # type: ignore[attr-defined]
        record_settlement(session, data, parameters=PARAMETERS.current())


def entries_of(client: TestClient, settlement_id: str, headers: Headers) -> list[dict[str, Any]]:
    response = client.get(f"/v1/settlements/{settlement_id}", headers=headers)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["entries"]
    return entries


def supply(
    client: TestClient, settlement_id: str, index: int, headers: Headers, body: Any
) -> httpx.Response:
    """PUT what the department establishes of member `index`'s insurance."""
    path = f"/v1/settlements/{settlement_id}/members/{index}/insurance"
    response: httpx.Response = client.put(path, headers=headers, json=body)
    return response


def confirm(client: TestClient, transfer_id: str, headers: Headers, body: Any) -> httpx.Response:
    """POST the origin's answer to a transfer."""
    path = f"/v1/transfers/{transfer_id}/confirmation"
    response: httpx.Response = client.post(path, headers=headers, json=body)
    return response


def topic_values(settings: Settings, topic: str) -> list[dict[str, Any]]:
    bus = EmbeddedBus(settings.event_log_path)
    try:
        return [json.loads(r.value) for r in bus.read(topic)]
    finally:
        bus.close()


def processed(settings: Settings, settlement_id: str) -> list[dict[str, Any]]:
    return [
        value["data"]
        for value in topic_values(settings, PROCESSED_TOPIC)
        if value["data"]["settlement_id"] == settlement_id
    ]


def wait_until(predicate: Callable[[], bool], *, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the consumer")
        time.sleep(0.02)


def settlement_when_ready(
    client: TestClient, settlement_id: str, headers: Headers
) -> dict[str, Any]:
    """Poll GET /v1/settlements/{id} until the department has acted (200)."""
    found: list[httpx.Response] = []

    def ready() -> bool:
        response = client.get(f"/v1/settlements/{settlement_id}", headers=headers)
        assert response.status_code in (200, 404), response.text
        found[:] = [response]
        return bool(response.status_code == 200)

    wait_until(ready)
    body: dict[str, Any] = found[0].json()
    return body


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The contract's error body: `{"error": {"code", "message", "details"}}`."""
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    return error


def reason_for(response: httpx.Response, field: str) -> str:
    """A 422's reason for `field` (each detail names a field and a reason in words)."""
    details = error_of(response, 422, "invalid_input")["details"]
    for detail in details:
        assert detail["field"] and detail["reason"]
    found = [d["reason"] for d in details if d["field"] == field]
    assert found, f"no detail names {field!r}: {details}"
    return str(found[0])


class MedicalInsuranceApiTests:
    """The fixtures every medical insurance API test class takes, by inheriting them."""

    @pytest.fixture
    def configured(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Human resources' parameters for these tests (a class may configure its own)."""
        monkeypatch.setenv(PARAMETERS_ENV, parameters_json())

    @pytest.fixture
    def service(self, settings: Settings, configured: None) -> Iterator[TestClient]:
        """The service with its relay and consumer threads, as in production."""
        with TestClient(build(settings)) as client:
            yield client

    @pytest.fixture
    def quiet(self, settings: Settings, configured: None) -> Iterator[TestClient]:
        """The service without threads: settlements are recorded straight through the act."""
        with TestClient(build(settings.model_copy(update={"start_workers": False}))) as client:
            yield client

    @pytest.fixture
    def officer(self, auth: TokenFactory) -> Headers:
        """Human resources, which runs medical insurance: medical:read and medical:write."""
        return auth("human_resources")

    @pytest.fixture
    def settled(self, quiet: TestClient) -> SettlementApproved:
        """The family of `family()`, recorded by the quiet service."""
        data = family()
        record(quiet, data)
        return data

    @pytest.fixture
    def awaiting(self, quiet: TestClient, settled: SettlementApproved, officer: Headers) -> str:
        """The id of the settled applicant's transfer, awaiting the origin."""
        transfer_id: str = entries_of(quiet, settled.settlement_id, officer)[0]["transfer_id"]
        return transfer_id
