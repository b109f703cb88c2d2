"""Helpers for the education API tests: the service, settled families, publishing, waiting.

One service (relay and consumer running) serves each test module, which takes the fixtures by
importing them from here (pytest finds a fixture by its name in the module); each test uses
settlements, and where it counts, counties of its own.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.education.app import build
from services.education.models import TABLES
from shared.auth import issue_token
from shared.events.bus import Message
from shared.events.embedded import EmbeddedBus
from shared.events.envelope import CloudEvent, new_event, to_message
from shared.identity import make_id_number
from shared.settings import Settings
from shared.settlement import (
    APPROVED_TOPIC,
    SETTLEMENT_APPROVED,
    SettledMember,
    SettlementApproved,
    approved_event,
)

Headers = dict[str, str]
T = TypeVar("T")

MEIJIANG = "441402"  # the family's previous registration, outside Shaoguan
WUJIANG, ZHENJIANG, QUJIANG = "440203", "440204", "440205"
SHIXING, RENHUA, WENGYUAN = "440222", "440224", "440229"  # RENHUA: transfer lists only
RUYUAN, NANXIONG = "440232", "440282"  # NANXIONG: the planning test only
PROCESSED_TOPIC = "education.settlement.processed"
DEAD_LETTERS = "deadletter.education"

_sequence = itertools.count(1)


def id_number(birth: date) -> str:
    return make_id_number(MEIJIANG, birth, next(_sequence) % 1000)


def token(settings: Settings, dept: str, *scopes: str) -> Headers:
    return {"Authorization": f"Bearer {issue_token(settings, dept=dept, scopes=scopes or None)}"}


@dataclass(frozen=True)
class Person:
    name: str
    relation: str
    birth: date
    previous: str = MEIJIANG


# A family deciding in the 2019-2020 school year (starts 2019-09-01).
DECIDED = date(2019, 10, 15)
FAMILY = (
    Person("张三", "applicant", date(1988, 5, 1)),
    Person("李四", "spouse", date(1990, 2, 2)),
    Person("张小明", "child", date(2012, 3, 3)),  # 7 on 2019-09-01: primary
    Person("张小红", "child", date(2006, 5, 5)),  # 13: junior middle
    Person("张小华", "child", date(2015, 1, 1)),  # 4: preschool
    Person("张小宝", "child", date(2018, 6, 1)),  # 1: no placement, under 3
)


def settlement(
    *,
    county: str,
    people: tuple[Person, ...] = FAMILY,
    decided: date = DECIDED,
    settlement_id: str | None = None,
) -> SettlementApproved:
    return SettlementApproved(
        settlement_id=settlement_id or str(uuid.uuid4()),
        decided_at=datetime(decided.year, decided.month, decided.day, 9, tzinfo=UTC),
        decision_date=decided,
        rules_version="shaoguan-2017-trial",
        channel="stable_residence",
        destination_region_code=county,
        destination_address="沿江路 1 号",
        members=[
            SettledMember(
                id_number=id_number(p.birth),
                name=p.name,
                birth_date=p.birth,
                sex="male",
                relation=p.relation,
                previous_region_code=p.previous,
                previous_hukou_type="rural",
            )
            for p in people
        ],
    )


def hukou_event(
    subject: str, data: dict[str, Any], *, type_: str = SETTLEMENT_APPROVED, **extensions: str
) -> CloudEvent:
    """An event as hukou writes it: of `type_` (approved unless said), about `subject`."""
    return new_event(
        type_=type_,
        source="/luohu/hukou",
        subject=subject,
        data=data,
        extensions=extensions or None,
    )


def approved(
    data: SettlementApproved, fields: dict[str, Any] | None = None, **extensions: str
) -> CloudEvent:
    """A `settlement.approved` event about `data`, carrying `fields` (as changed by a test)
    instead of the settlement's own where given."""
    given = fields if fields is not None else data.model_dump(mode="json")
    return hukou_event(data.settlement_id, given, **extensions)


def message(event: CloudEvent, key: str, *, topic: str = APPROVED_TOPIC) -> Message:
    """The event as hukou's relay puts it on the bus (on `topic`, whatever its type)."""
    built = to_message(event, key=key)
    return Message(topic=topic, key=built.key, value=built.value, headers=built.headers)


def publish(bus: EmbeddedBus, data: SettlementApproved) -> CloudEvent:
    event = approved_event(data)
    bus.publish([message(event, data.settlement_id)])
    return event


def eventually(check: Callable[[], T | None], *, within: float = 10.0, what: str = "it") -> T:
    deadline = time.monotonic() + within
    while True:
        found = check()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def acted_on(client: TestClient, settlement_id: str, headers: Headers) -> dict[str, Any]:
    """Poll GET /v1/settlements/{id} until education has acted (200)."""

    def check() -> dict[str, Any] | None:
        response = client.get(f"/v1/settlements/{settlement_id}", headers=headers)
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            return body
        assert response.status_code == 404, response.text
        return None

    return eventually(check, what=f"settlement {settlement_id}")


def caught_up(client: TestClient, bus: EmbeddedBus) -> None:
    """Wait until the consumer has committed everything on the approved topic and the relay
    has published every outbox row, so nothing more is on its way."""

    def check() -> bool | None:
        end = bus.end_offsets([APPROVED_TOPIC])[APPROVED_TOPIC]
        if bus.committed("education", APPROVED_TOPIC) < end:
            return None
        outbox = TABLES.outbox
        with client.app.state.runtime.db.read_only() as session:  # type: ignore[attr-defined]
            unsent = session.execute(
                select(func.count()).where(outbox.c.published_at.is_(None))
            ).scalar_one()
        return True if unsent == 0 else None

    eventually(check, what="the consumer and relay to catch up")


def processed(bus: EmbeddedBus, settlement_id: str) -> list[dict[str, Any]]:
    """The data of every `education.settlement.processed` event about `settlement_id`."""
    events = [json.loads(record.value) for record in bus.read(PROCESSED_TOPIC, limit=100_000)]
    return [e["data"] for e in events if e["data"]["settlement_id"] == settlement_id]


def dead_letters(bus: EmbeddedBus, settlement_id: str) -> list[dict[str, Any]]:
    return [
        {"event": json.loads(record.value), "headers": record.headers}
        for record in bus.read(DEAD_LETTERS, limit=100_000)
        if record.key == settlement_id
    ]


def by_index(body: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {p["member_index"]: p for p in body["placements"]}


def transfer_path(transfer: dict[str, Any]) -> str:
    return f"/v1/student-transfers/{transfer['id']}"


def completion_path(transfer: dict[str, Any]) -> str:
    return f"{transfer_path(transfer)}/completion"


def settlement_response(client: TestClient, settlement_id: str, headers: Headers) -> httpx.Response:
    return client.get(f"/v1/settlements/{settlement_id}", headers=headers)


# --- fixtures -----------------------------------------------------------------------------------


class Settle(Protocol):
    """Settle a family in a county (settlement's keywords) and wait for education's answer."""

    def __call__(self, county: str, **kwargs: Any) -> dict[str, Any]: ...


class EducationApiTests:
    """The fixtures every education API test class takes, by inheriting them: one service
    (relay and consumer running) for the class, whose tests use settlements of their own."""

    @pytest.fixture(scope="class")
    @classmethod
    def service_settings(cls, tmp_path_factory: pytest.TempPathFactory) -> Settings:
        folder: Path = tmp_path_factory.mktemp("education")
        return Settings(
            environment="test",
            data_dir=folder / "var",
            relay_interval_seconds=0.02,
            consumer_retry_backoff_seconds=0.01,
            consumer_max_attempts=3,
        )

    @pytest.fixture(scope="class")
    @classmethod
    def education(cls, service_settings: Settings) -> Iterator[TestClient]:
        with TestClient(build(service_settings)) as client:
            yield client

    @pytest.fixture(scope="class")
    @classmethod
    def bus(cls, service_settings: Settings, education: TestClient) -> Iterator[EmbeddedBus]:
        log = EmbeddedBus(service_settings.event_log_path)
        yield log
        log.close()

    @pytest.fixture(scope="class")
    @classmethod
    def clerk(cls, service_settings: Settings) -> Headers:
        """An education token: education:read and education:write."""
        return token(service_settings, "education")

    @pytest.fixture(scope="class")
    @classmethod
    def settle(cls, education: TestClient, bus: EmbeddedBus, clerk: Headers) -> Settle:
        def settled(county: str, **kwargs: Any) -> dict[str, Any]:
            data = settlement(county=county, **kwargs)
            publish(bus, data)
            return acted_on(education, data.settlement_id, clerk)

        return settled

    @pytest.fixture(scope="class")
    @classmethod
    def family(cls, settle: Settle) -> dict[str, Any]:
        """The realistic family of FAMILY, settled in 武江区 and acted on."""
        return settle(WUJIANG)

    @pytest.fixture
    def transfer(self, settle: Settle) -> dict[str, Any]:
        """A fresh requested transfer (the primary-school child of a new family in 乳源)."""
        found: dict[str, Any] = settle(RUYUAN)["transfers"][0]
        return found
