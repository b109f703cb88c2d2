"""Helpers for the pension API tests: the service, settlements to publish, the log, polling."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import httpx
import pytest
from fastapi.testclient import TestClient

from services.pension.app import build
from shared.auth import issue_token
from shared.events.embedded import EmbeddedBus
from shared.events.envelope import CloudEvent, new_event, to_message
from shared.registry import SETTLEMENT_APPROVED
from shared.settings import Settings
from shared.settlement import SettlementApproved, approved_event
from tests.conftest import person_id

WUJIANG, ZHENJIANG, QUJIANG = "440203", "440204", "440205"
MEIZHOU = "441402"  # outside Shaoguan
DECIDED = date(2019, 6, 1)
PROCESSED_TOPIC = "pension.settlement.processed"
DEAD_LETTER_TOPIC = "deadletter.pension"

# Wujiang has a standard and no presumed scheme; Zhenjiang presumes the residents' scheme for
# adults whose employment is not stated; Qujiang has no standard at all.
PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "minimum_living_standard",
        "value": 600,
        "unit": "yuan per person per month",
        "region_code": WUJIANG,
        "valid_from": "2017-10-23",
        "source": "test fixture",
        "department": "civil_affairs",
    },
    {
        "name": "minimum_living_standard",
        "value": 550,
        "unit": "yuan per person per month",
        "region_code": ZHENJIANG,
        "valid_from": "2017-10-23",
        "source": "test fixture",
        "department": "civil_affairs",
    },
    {
        "name": "default_scheme_for_non_employed_adults",
        "value": "urban_rural_resident",
        "region_code": ZHENJIANG,
        "valid_from": "2017-10-23",
        "source": "test fixture",
        "department": "human_resources",
    },
]

Headers = dict[str, str]
T = TypeVar("T")


def headers(settings: Settings, dept: str, *scopes: str) -> Headers:
    token = issue_token(settings, dept=dept, scopes=scopes or None)
    return {"Authorization": f"Bearer {token}"}


class PensionApiTests:
    """The fixtures every pension API test class takes, by inheriting them: one service for
    the class (starting one costs about half a second), whose tests each look only at their
    own settlements."""

    @pytest.fixture(scope="class")
    @classmethod
    def service_settings(cls, tmp_path_factory: pytest.TempPathFactory) -> Settings:
        return Settings(
            environment="test",
            data_dir=tmp_path_factory.mktemp("pension") / "var",
            relay_interval_seconds=0.02,
            consumer_retry_backoff_seconds=0.01,
            consumer_max_attempts=3,
        )

    @pytest.fixture(scope="class")
    @classmethod
    def client(cls, service_settings: Settings) -> Iterator[TestClient]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("LUOHU_PENSION_PARAMETERS", json.dumps(PARAMETERS))
            with TestClient(build(service_settings)) as service:
                yield service

    @pytest.fixture
    def settings(self, service_settings: Settings) -> Settings:
        return service_settings

    @pytest.fixture
    def officer(self, settings: Settings) -> Headers:
        """Human resources, the department that runs pension: reads and writes."""
        return headers(settings, "human_resources")

    @pytest.fixture
    def civil_affairs(self, settings: Settings) -> Headers:
        return headers(settings, "civil_affairs")

    @pytest.fixture
    def continuation(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> dict[str, Any]:
        """The applicant's continuation of a settlement insured outside Shaoguan, awaiting the
        origin's confirmation."""
        return awaiting(client, settings, officer)


def person(
    relation: str,
    born: date,
    *,
    female: bool = False,
    region: str = MEIZHOU,
    hukou_type: str = "rural",
) -> dict[str, Any]:
    return {
        "id_number": person_id(born, region, female=female),
        "name": "测试",
        "birth_date": born.isoformat(),
        "sex": "female" if female else "male",
        "relation": relation,
        "previous_region_code": region,
        "previous_hukou_type": hukou_type,
    }


def family() -> list[dict[str, Any]]:
    """An applicant, his wife, their child and his father, from Meizhou."""
    return [
        person("applicant", date(1988, 5, 1)),
        person("spouse", date(1990, 2, 2), female=True),
        person("child", date(2012, 3, 3)),
        person("parent", date(1950, 3, 1)),
    ]


def settlement(
    *,
    members: list[dict[str, Any]] | None = None,
    region: str = WUJIANG,
    decision_date: date = DECIDED,
    social_insurance: dict[str, Any] | None = None,
    housing: dict[str, Any] | None = None,
) -> SettlementApproved:
    return SettlementApproved.model_validate(
        {
            "settlement_id": str(uuid.uuid4()),
            "decided_at": datetime(2019, 6, 2, 8, 0, tzinfo=UTC),
            "decision_date": decision_date,
            "rules_version": "shaoguan-2017-trial",
            "channel": "stable_residence",
            "destination_region_code": region,
            "destination_address": "沿江路 1 号",
            "members": members or family(),
            "social_insurance": social_insurance
            if social_insurance is not None
            else {
                "pension_months": 14,
                "medical_months": 14,
                "insured_region_code": WUJIANG,
                "employer_paid": True,
            },
            "housing": housing if housing is not None else {"monthly_household_income": 4200},
        }
    )


def publish(settings: Settings, *events: CloudEvent, key: str) -> None:
    bus = EmbeddedBus(settings.event_log_path)
    try:
        bus.publish([to_message(event, key=key) for event in events])
    finally:
        bus.close()


def publish_settlement(settings: Settings, data: SettlementApproved) -> CloudEvent:
    event = approved_event(data)
    publish(settings, event, key=data.settlement_id)
    return event


def publish_payload(
    settings: Settings, data: SettlementApproved, payload: dict[str, Any], **extensions: str
) -> CloudEvent:
    """Publish `settlement.approved` for `data` carrying `payload`, as a producer may send it."""
    event = new_event(
        type_=SETTLEMENT_APPROVED,
        source="/luohu/hukou",
        subject=data.settlement_id,
        data=payload,
        extensions=extensions or None,
    )
    publish(settings, event, key=data.settlement_id)
    return event


def topic(settings: Settings, name: str) -> list[dict[str, Any]]:
    """Every CloudEvent on a topic of the embedded log, as JSON, with the record's key."""
    bus = EmbeddedBus(settings.event_log_path)
    try:
        return [
            {**json.loads(record.value), "_key": record.key}
            for record in bus.read(name, limit=100_000)
        ]
    finally:
        bus.close()


def processed(settings: Settings, settlement_id: str) -> list[dict[str, Any]]:
    return [
        event["data"]
        for event in topic(settings, PROCESSED_TOPIC)
        if event["data"]["settlement_id"] == settlement_id
    ]


def eventually(probe: Callable[[], T | None], *, timeout: float = 15.0) -> T:
    """Poll until `probe` answers something, within a deadline: the consumer runs behind."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the pension service")
        time.sleep(0.05)


def acted_on(client: TestClient, reader: Headers, settlement_id: str) -> dict[str, Any]:
    """`GET /v1/settlements/{id}` once pension has acted (it is a 404 until then)."""

    def probe() -> dict[str, Any] | None:
        response = client.get(f"/v1/settlements/{settlement_id}", headers=reader)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    return eventually(probe)


def decided(
    client: TestClient, settings: Settings, reader: Headers, data: SettlementApproved
) -> dict[str, Any]:
    """Publish a settlement and wait for pension's decision on it."""
    publish_settlement(settings, data)
    return acted_on(client, reader, data.settlement_id)


def not_acted_on(client: TestClient, reader: Headers, settlement_id: str) -> bool:
    """Pension holds no record of the settlement: `GET /v1/settlements/{id}` is a 404."""
    return client.get(f"/v1/settlements/{settlement_id}", headers=reader).status_code == 404


def reported(settings: Settings, settlement_id: str, count: int = 1) -> list[dict[str, Any]]:
    """The `processed` reports for a settlement, once `count` of them are on the log."""
    return eventually(
        lambda: found if len(found := processed(settings, settlement_id)) >= count else None
    )


def drain(client: TestClient, settings: Settings, reader: Headers) -> None:
    """Publish a marker settlement and wait for its report: everything before it is handled
    (one partition, so in order) and its reports relayed (the outbox relays in order)."""
    marker = settlement(members=[person("applicant", date(1980, 1, 1))])
    decided(client, settings, reader, marker)
    reported(settings, marker.settlement_id)


def member_of(body: dict[str, Any], index: int) -> dict[str, Any]:
    found = [c for c in body["continuations"] if c["member_index"] == index]
    assert len(found) == 1, body["continuations"]
    return found[0]


def confirmation_url(continuation_id: str) -> str:
    return f"/v1/continuations/{continuation_id}/confirmation"


def confirm(
    client: TestClient, continuation_id: str, headers: Headers, months: int = 1
) -> httpx.Response:
    """The origin's confirmation of `months` carried over, posted for a continuation."""
    return client.post(
        confirmation_url(continuation_id), json={"months_carried_over": months}, headers=headers
    )


def awaiting(client: TestClient, settings: Settings, officer: Headers) -> dict[str, Any]:
    """The applicant's continuation of a settlement insured outside Shaoguan."""
    data = settlement(
        social_insurance={
            "pension_months": 30,
            "insured_region_code": MEIZHOU,
            "employer_paid": True,
        }
    )
    applicant = member_of(decided(client, settings, officer, data), 0)
    assert applicant["status"] == "awaiting_origin"
    return applicant


def fields(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    return {detail["field"] for detail in response.json()["error"]["details"]}
