"""Helpers for the education API tests: settled families, publishing, waiting on the service."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.education.models import TABLES
from shared.auth import issue_token
from shared.events.bus import Message
from shared.events.embedded import EmbeddedBus
from shared.events.envelope import CloudEvent, to_message
from shared.identity import make_id_number
from shared.settings import Settings
from shared.settlement import APPROVED_TOPIC, SettledMember, SettlementApproved, approved_event

Headers = dict[str, str]
T = TypeVar("T")

MEIJIANG = "441402"  # the family's previous registration, outside Shaoguan
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
