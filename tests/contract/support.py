"""What the contract tests share besides fixtures: names of their own, draining a consumer, and
a tiny test-only service (its schema, events and handler) for the outbox and inbox tests."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from typing import Any

from sqlalchemy import Column, Integer, String, Table, Text, insert, select
from sqlalchemy.orm import Session

from shared.db import Database, new_metadata, platform_tables
from shared.events.bus import Bus, Consumer, Record
from shared.events.consumer import EventConsumer
from shared.events.envelope import CloudEvent, new_event
from shared.events.outbox import OutboxRelay, add_to_outbox

# A test-only service: the platform tables plus the effects its handlers apply.
metadata = new_metadata()
tables = platform_tables(metadata)
effects = Table(
    "effects",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("n", Integer, nullable=False),
)
dead_letter_marks = Table(
    "dead_letter_marks",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("error", Text, nullable=False),
)

MAX_ATTEMPTS = 3
# How long to keep polling to be sure nothing more arrives.
QUIET_SECONDS = 0.3
# How long the outbox and inbox tests wait for what they published to be handed out.
DELIVERY_SECONDS = 10.0

ConsumerFactory = Callable[..., EventConsumer]


class Boom(RuntimeError):
    """What the test handlers raise."""


def unique(prefix: str) -> str:
    """A topic or group name no other test (or earlier run on a shared broker) uses."""
    return f"{prefix}.{uuid.uuid4().hex[:12]}"


def drain(consumer: Consumer, count: int, *, within: float = 5.0) -> list[Record]:
    """Poll until `count` records have arrived or `within` seconds have passed."""
    records: list[Record] = []
    deadline = time.monotonic() + within
    while len(records) < count and time.monotonic() < deadline:
        records.extend(consumer.poll(max_records=count - len(records), timeout=0.1))
    return records


def make_event(
    kind: str, n: int, *, subject: str = "settlement-1", **extensions: str
) -> CloudEvent:
    return new_event(
        type_=kind,
        source="/tests/contract",
        subject=subject,
        data={"n": n},
        extensions=extensions or None,
    )


def apply_effect(session: Session, event: CloudEvent) -> None:
    """The handler's effect: one row per event (a second insert would break the primary key)."""
    data = event.get_data()
    assert isinstance(data, dict)
    session.execute(insert(effects).values(event_id=event.get_id(), n=data["n"]))


def add_events(db: Database, events: Sequence[CloudEvent], *, key: str = "settlement-1") -> None:
    with db.unit_of_work() as session:
        for event in events:
            add_to_outbox(session, tables, event, key=key)


def relay_all(relay: OutboxRelay) -> int:
    sent = total = relay.run_once()
    while sent:
        sent = relay.run_once()
        total += sent
    return total


def rows(db: Database, table: Table) -> list[dict[str, Any]]:
    with db.read_only() as session:
        return [dict(row._mapping) for row in session.execute(select(table))]


def inbox_outcomes(db: Database) -> dict[str, str]:
    return {row["event_id"]: row["outcome"] for row in rows(db, tables.inbox)}


def effect_ids(db: Database) -> list[str]:
    return sorted(row["event_id"] for row in rows(db, effects))


def assert_only_effect_is(db: Database, event: CloudEvent) -> None:
    """`event` took effect once and is recorded done, and nothing was dead-lettered."""
    assert effect_ids(db) == [event.get_id()]
    assert inbox_outcomes(db) == {event.get_id(): "done"}
    assert rows(db, tables.outbox) == []


def read_topic(bus: Bus, topic: str, count: int) -> list[Record]:
    """Everything on `topic`, read by a group of its own: `count` records, then quiet."""
    with closing(bus.consumer(group=unique("contract.reader"), topics=[topic])) as reader:
        records = drain(reader, count, within=DELIVERY_SECONDS)
        records.extend(reader.poll(max_records=100, timeout=QUIET_SECONDS))
    return records


def ce_id(record: Record) -> str:
    """The CloudEvent id straight from the structured value, without the code under test."""
    value: Mapping[str, Any] = json.loads(record.value)
    return str(value["id"])


def run_until_seen(consumer: EventConsumer, count: int, *, within: float = 10.0) -> int:
    """Run the consumer until it has handled `count` records (or the time is up)."""
    seen = 0
    deadline = time.monotonic() + within
    while seen < count and time.monotonic() < deadline:
        seen += consumer.run_once(timeout=0.1)
    return seen


def handle_without_commit(
    bus: Bus, group: str, topic: str, consumer: EventConsumer, count: int
) -> tuple[list[Record], list[str]]:
    """A member that handles what it polls and dies before committing."""
    member = bus.consumer(group=group, topics=[topic])
    try:
        records = drain(member, count, within=DELIVERY_SECONDS)
        return records, [consumer.handle(record) for record in records]
    finally:
        member.close()  # no commit: the records go to the next member
