"""Helpers for the housing service's API tests: fixtures, settlements, requests, the event log."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.housing import config
from services.housing.app import build
from services.housing.handlers import SUBSCRIPTION
from services.housing.models import TABLES, HousingAssessment
from shared.events.bus import Record
from shared.events.embedded import EmbeddedBus
from shared.events.envelope import CloudEvent, to_message
from shared.settings import Settings
from shared.settlement import SETTLEMENT_APPROVED, SettledMember, SettlementApproved, approved_event
from tests.conftest import TokenFactory, person_id

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


def configure(monkeypatch: pytest.MonkeyPatch, parameters: list[dict[str, Any]]) -> None:
    """Set LUOHU_HOUSING_PARAMETERS and load it, as a restart would: housing reads it once."""
    monkeypatch.setenv("LUOHU_HOUSING_PARAMETERS", json.dumps(parameters))
    config.PARAMETERS.load()


def quick_settings(folder: Path, *, workers: bool) -> Settings:
    return Settings(
        environment="test",
        data_dir=folder / "var",
        start_workers=workers,
        relay_interval_seconds=0.02,
        consumer_retry_backoff_seconds=0.01,
        consumer_max_attempts=3,
    )


class HousingApiTests:
    """The fixtures every housing API test class takes, by inheriting them."""

    @pytest.fixture(autouse=True)
    def parameters(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The housing department's limits for these tests, citywide from 2018 (source: fixture)."""
        configure(monkeypatch, PARAMETERS)

    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        """No consumer or relay threads by default: the API tests assess through the handler."""
        return settings.model_copy(update={"start_workers": False})

    @pytest.fixture
    def fresh(self, settings: Settings) -> Iterator[TestClient]:
        """A service of its own, for tests that count a whole waiting list."""
        with TestClient(build(settings)) as client:
            yield client

    @pytest.fixture(scope="class")
    @classmethod
    def housing(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
        """One service for the class's tests, which look only at their own settlements."""
        folder = tmp_path_factory.mktemp("shared")
        with TestClient(build(quick_settings(folder, workers=False))) as client:
            yield client

    @pytest.fixture
    def clerk(self, auth: TokenFactory) -> Headers:
        """A housing department token (housing:read and housing:write)."""
        return auth("housing")


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


def renter(client: TestClient, **overrides: Any) -> str:
    """An eligible family renting on the market: rental subsidy, or housing in kind on request."""
    return assess_directly(client, settlement(**overrides))


def owner(client: TestClient, county: str = WUJIANG, **overrides: Any) -> str:
    """An eligible family with a small dwelling of its own: public rental housing only."""
    return assess_directly(
        client,
        settlement(
            destination_region_code=county,
            residence={"address": "新华路 2 号", "tenure": "owned", "since": "2015-01-01"},
            housing={"monthly_household_income": 3000, "current_area_m2": 30},
            **overrides,
        ),
    )


def assess_directly(client: TestClient, data: SettlementApproved) -> str:
    """Run the subscription's handler in a unit of work, as the consumer would, without the bus."""
    event = approved_event(data)
    with client.app.state.runtime.db.unit_of_work() as session:  # type: ignore[attr-defined]
        for handler in SUBSCRIPTION.handlers[SETTLEMENT_APPROVED]:
            handler(session, event)
    return data.settlement_id


# --- requests -----------------------------------------------------------------------------------


def get_settlement(client: TestClient, headers: Headers, settlement_id: str) -> httpx.Response:
    response: httpx.Response = client.get(f"/v1/settlements/{settlement_id}", headers=headers)
    return response


def assessment_of(client: TestClient, headers: Headers, settlement_id: str) -> dict[str, Any]:
    assessment: dict[str, Any] = ok(get_settlement(client, headers, settlement_id))["assessment"]
    return assessment


def assessed(
    client: TestClient, headers: Headers, data: SettlementApproved | None = None
) -> dict[str, Any]:
    """The assessment housing makes of `data` (the usual renting family if none)."""
    return assessment_of(client, headers, assess_directly(client, data or settlement()))


def apply(
    client: TestClient, headers: Headers, settlement_id: str, body: Any = None, **kw: Any
) -> httpx.Response:
    body = {"form": "rental_subsidy"} if body is None else body
    response: httpx.Response = client.post(
        f"/v1/settlements/{settlement_id}/housing-applications", headers=headers, json=body, **kw
    )
    return response


def applied(client: TestClient, headers: Headers, settlement_id: str, form: str) -> dict[str, Any]:
    return ok(apply(client, headers, settlement_id, {"form": form}), 201)


def application(client: TestClient, headers: Headers, application_id: str) -> httpx.Response:
    response: httpx.Response = client.get(
        f"/v1/housing-applications/{application_id}", headers=headers
    )
    return response


def decide(
    client: TestClient, headers: Headers, application_id: str, body: Any, **kw: Any
) -> httpx.Response:
    response: httpx.Response = client.post(
        f"/v1/housing-applications/{application_id}/outcome", headers=headers, json=body, **kw
    )
    return response


def waiting(client: TestClient, headers: Headers, county: str = WUJIANG, **params: Any) -> Any:
    return ok(client.get(f"/v1/waiting-lists/{county}", headers=headers, params=params))


def reasons(assessment: dict[str, Any]) -> dict[str, str]:
    return {check["rule"]: check["reason"] for check in assessment["checks"]}


# --- the event log -------------------------------------------------------------------------------


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


# --- answers -------------------------------------------------------------------------------------


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
