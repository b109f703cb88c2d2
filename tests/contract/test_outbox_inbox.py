"""Contract tests of exactly-once effects on the at-least-once bus (ARCHITECTURE.md, "Events").

The transactional outbox and its relay, and the consumer's inbox, retries and dead letters,
on a tiny service schema of their own and on every bus engine (the `bus` fixture).
"""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, String, Table, Text, insert, select, update
from sqlalchemy.orm import Session

import shared.events.outbox as outbox_module
from shared.db import Database, new_metadata, platform_tables
from shared.events.bus import Bus, Consumer, Message, Record
from shared.events.consumer import (
    CONSUMER_HEADER,
    ERROR_HEADER,
    ORIGINAL_TOPIC_HEADER,
    REPLAY_HEADER,
    DeadLetterHook,
    EventConsumer,
    Handler,
    Subscription,
    dead_letter_topic,
)
from shared.events.envelope import CloudEvent, event_type, new_event, to_message, topic_of
from shared.events.outbox import OutboxRelay, add_to_outbox
from tests.contract.conftest import unique

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


class Boom(RuntimeError):
    """What the test handlers raise."""


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/svc.db")
    metadata.create_all(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def kind() -> str:
    """An event type of its own, so its topic (the type's last three parts) is new to the log."""
    return event_type(f"t{uuid.uuid4().hex[:12]}", "thing.happened")


@pytest.fixture
def topic(kind: str) -> str:
    return topic_of(kind)


@pytest.fixture
def relay(db: Database, bus: Bus) -> OutboxRelay:
    return OutboxRelay(service="contract", db=db, tables=tables, bus=bus)


ConsumerFactory = Callable[..., EventConsumer]


@pytest.fixture
def make_consumer(
    db: Database, bus: Bus, group: str, topic: str, kind: str
) -> Iterator[ConsumerFactory]:
    """A member of `group` reading `topic` with `handlers` for `kind`; closed after the test."""
    made: list[EventConsumer] = []

    def make(
        *handlers: Handler,
        on_dead_letter: DeadLetterHook | None = None,
        batch_size: int = 200,
    ) -> EventConsumer:
        consumer = EventConsumer(
            subscription=Subscription(
                group=group,
                topics=[topic],
                handlers={kind: handlers or [apply_effect]},
                on_dead_letter=on_dead_letter,
            ),
            db=db,
            tables=tables,
            bus=bus,
            max_attempts=MAX_ATTEMPTS,
            backoff=0.0,
            batch_size=batch_size,
        )
        made.append(consumer)
        return consumer

    yield make
    for consumer in reversed(made):
        consumer.close()


# --- helpers -------------------------------------------------------------------------------


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


def drain(consumer: Consumer, count: int, *, within: float = 10.0) -> list[Record]:
    """Poll until `count` records have arrived or `within` seconds have passed."""
    records: list[Record] = []
    deadline = time.monotonic() + within
    while len(records) < count and time.monotonic() < deadline:
        records.extend(consumer.poll(max_records=count - len(records), timeout=0.1))
    return records


def read_topic(bus: Bus, topic: str, count: int) -> list[Record]:
    """Everything on `topic`, read by a group of its own: `count` records, then quiet."""
    with closing(bus.consumer(group=unique("contract.reader"), topics=[topic])) as reader:
        records = drain(reader, count)
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
        records = drain(member, count)
        return records, [consumer.handle(record) for record in records]
    finally:
        member.close()  # no commit: the records go to the next member


# --- the outbox and its relay --------------------------------------------------------------


def test_an_event_added_in_a_unit_of_work_that_rolls_back_is_never_published(
    db: Database, bus: Bus, relay: OutboxRelay, kind: str, topic: str
) -> None:
    lost, kept = make_event(kind, 1), make_event(kind, 2)
    with pytest.raises(Boom), db.unit_of_work() as session:
        add_to_outbox(session, tables, lost, key="settlement-1")
        raise Boom("the change failed after its event was written")
    add_events(db, [kept])

    assert [row["event_id"] for row in rows(db, tables.outbox)] == [kept.get_id()]
    assert relay_all(relay) == 1
    assert [ce_id(record) for record in read_topic(bus, topic, 1)] == [kept.get_id()]


def test_the_relay_publishes_committed_rows_in_order_and_marks_them_sent(
    db: Database, bus: Bus, kind: str, topic: str
) -> None:
    events = [make_event(kind, n) for n in range(7)]
    add_events(db, events[:3])
    add_events(db, events[3:])
    relay = OutboxRelay(service="contract", db=db, tables=tables, bus=bus, batch_size=5)

    assert relay.run_once() == 5
    assert relay.run_once() == 2
    assert all(row["published_at"] is not None for row in rows(db, tables.outbox))
    assert relay.run_once() == 0  # a second run publishes nothing

    records = read_topic(bus, topic, len(events))
    assert [ce_id(record) for record in records] == [event.get_id() for event in events]
    assert {record.key for record in records} == {"settlement-1"}


def test_a_relay_crash_after_publishing_publishes_again_and_the_inbox_absorbs_the_duplicate(
    db: Database,
    bus: Bus,
    relay: OutboxRelay,
    make_consumer: ConsumerFactory,
    kind: str,
    topic: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = make_event(kind, 1)
    add_events(db, [event])
    marks: list[int] = []

    def crash_once(*args: Any, **kwargs: Any) -> Any:
        marks.append(1)
        if len(marks) == 1:
            raise Boom("the relay died after publishing, before marking the row sent")
        return update(*args, **kwargs)

    monkeypatch.setattr(outbox_module, "update", crash_once)

    with pytest.raises(Boom):
        relay.run_once()
    assert [row["published_at"] for row in rows(db, tables.outbox)] == [None]
    assert relay.run_once() == 1  # published again
    assert relay.run_once() == 0
    assert [ce_id(record) for record in read_topic(bus, topic, 2)] == [event.get_id()] * 2

    calls: list[str] = []

    def counted(session: Session, event: CloudEvent) -> None:
        calls.append(event.get_id())
        apply_effect(session, event)

    consumer = make_consumer(counted)
    assert run_until_seen(consumer, 2) == 2
    assert calls == [event.get_id()]
    assert effect_ids(db) == [event.get_id()]
    assert inbox_outcomes(db) == {event.get_id(): "done"}


# --- the inbox -----------------------------------------------------------------------------


def test_redelivery_of_the_same_event_is_a_no_op_the_second_time(
    db: Database, bus: Bus, make_consumer: ConsumerFactory, group: str, kind: str, topic: str
) -> None:
    event = make_event(kind, 1)
    bus.publish([to_message(event, key="settlement-1")] * 2)
    consumer = make_consumer()

    records, outcomes = handle_without_commit(bus, group, topic, consumer, 2)

    assert [ce_id(record) for record in records] == [event.get_id()] * 2
    assert outcomes == ["done", "duplicate"]
    assert consumer.handle(records[0]) == "duplicate"
    assert effect_ids(db) == [event.get_id()]
    assert inbox_outcomes(db) == {event.get_id(): "done"}


def test_a_handler_that_raises_has_its_partial_writes_rolled_back_and_is_retried(
    db: Database, bus: Bus, make_consumer: ConsumerFactory, group: str, kind: str, topic: str
) -> None:
    effects_seen: list[int] = []

    def insert_then_raise(session: Session, event: CloudEvent) -> None:
        effects_seen.append(len(session.execute(select(effects)).all()))
        apply_effect(session, event)
        raise Boom("failed after writing")

    event = make_event(kind, 1)
    bus.publish([to_message(event, key="settlement-1")])
    consumer = make_consumer(insert_then_raise)

    _, outcomes = handle_without_commit(bus, group, topic, consumer, 1)

    assert outcomes == ["dead_letter"]
    assert effects_seen == [0] * MAX_ATTEMPTS  # every attempt started from a clean slate
    assert effect_ids(db) == []


def test_a_handler_failing_transiently_ends_with_exactly_one_effect(
    db: Database, bus: Bus, make_consumer: ConsumerFactory, group: str, kind: str, topic: str
) -> None:
    attempts: list[int] = []

    def flaky(session: Session, event: CloudEvent) -> None:
        attempts.append(1)
        apply_effect(session, event)  # written before failing: must not survive the failure
        if len(attempts) <= 2:
            raise Boom(f"transient failure {len(attempts)}")

    event = make_event(kind, 1)
    bus.publish([to_message(event, key="settlement-1")])
    consumer = make_consumer(flaky)

    _, outcomes = handle_without_commit(bus, group, topic, consumer, 1)

    assert outcomes == ["done"]
    assert len(attempts) == 3
    assert effect_ids(db) == [event.get_id()]
    assert inbox_outcomes(db) == {event.get_id(): "done"}
    assert rows(db, tables.outbox) == []  # no dead letter


# --- dead letters --------------------------------------------------------------------------


def test_a_handler_that_always_fails_is_dead_lettered_and_can_be_replayed(
    db: Database,
    bus: Bus,
    relay: OutboxRelay,
    make_consumer: ConsumerFactory,
    group: str,
    kind: str,
    topic: str,
) -> None:
    broken = {"yes": True}
    attempts: list[str] = []

    def fails_on_poison(session: Session, event: CloudEvent) -> None:
        attempts.append(event.get_id())
        data = event.get_data()
        assert isinstance(data, dict)
        if data["n"] == 1 and broken["yes"]:
            raise Boom("cannot apply event 1")
        apply_effect(session, event)

    def mark(session: Session, event: CloudEvent, error: str) -> None:
        session.execute(insert(dead_letter_marks).values(event_id=event.get_id(), error=error))

    poison, healthy = make_event(kind, 1), make_event(kind, 2)
    poison_message = to_message(poison, key="settlement-1")
    bus.publish([poison_message, to_message(healthy, key="settlement-1")])
    consumer = make_consumer(fails_on_poison, on_dead_letter=mark)

    assert run_until_seen(consumer, 2) == 2

    # Bounded retries, then the consumer moved on to the next event.
    assert attempts == [poison.get_id()] * MAX_ATTEMPTS + [healthy.get_id()]
    assert effect_ids(db) == [healthy.get_id()]
    assert inbox_outcomes(db) == {poison.get_id(): "failed", healthy.get_id(): "done"}
    # The hook ran in the dead-lettering transaction.
    [marker] = rows(db, dead_letter_marks)
    assert marker["event_id"] == poison.get_id()
    assert "Boom: cannot apply event 1" in marker["error"]

    # The dead letter goes out through the outbox, with the error and where it came from.
    assert relay_all(relay) == 1
    [letter] = read_topic(bus, dead_letter_topic(group), 1)
    assert letter.topic == f"deadletter.{group}"
    assert letter.key == "settlement-1"
    assert letter.value == poison_message.value
    assert "Boom: cannot apply event 1" in letter.headers[ERROR_HEADER].decode()
    assert letter.headers[ORIGINAL_TOPIC_HEADER] == topic.encode()
    assert letter.headers[CONSUMER_HEADER] == group.encode()
    assert REPLAY_HEADER not in letter.headers

    # A plain redelivery does not retry it (nor dead-letter it again).
    bus.publish([poison_message])
    assert run_until_seen(consumer, 1) == 1
    assert attempts == [poison.get_id()] * MAX_ATTEMPTS + [healthy.get_id()]
    assert len(rows(db, tables.outbox)) == 1

    # The cause is fixed; an operator replays the dead letter onto its original topic.
    broken["yes"] = False
    original_topic = letter.headers[ORIGINAL_TOPIC_HEADER].decode()
    replay = Message(
        topic=original_topic,
        key=letter.key,
        value=letter.value,
        headers={**letter.headers, REPLAY_HEADER: b"operator"},
    )
    bus.publish([replay])
    assert run_until_seen(consumer, 1) == 1
    assert effect_ids(db) == sorted([poison.get_id(), healthy.get_id()])
    assert inbox_outcomes(db) == {poison.get_id(): "done", healthy.get_id(): "done"}

    # Replaying what is done is a no-op.
    bus.publish([replay])
    assert run_until_seen(consumer, 1) == 1
    assert len(attempts) == MAX_ATTEMPTS + 2
    assert len(rows(db, effects)) == 2


def test_the_dead_letter_hook_runs_in_the_dead_lettering_transaction(
    db: Database, bus: Bus, make_consumer: ConsumerFactory, group: str, kind: str, topic: str
) -> None:
    def always_fails(session: Session, event: CloudEvent) -> None:
        raise Boom("always")

    def hook_fails(session: Session, event: CloudEvent, error: str) -> None:
        session.execute(insert(dead_letter_marks).values(event_id=event.get_id(), error=error))
        raise Boom("the hook failed")

    event = make_event(kind, 1)
    bus.publish([to_message(event, key="settlement-1")])
    consumer = make_consumer(always_fails, on_dead_letter=hook_fails)

    with pytest.raises(Boom, match="the hook failed"):
        handle_without_commit(bus, group, topic, consumer, 1)

    # All or nothing: no inbox row, no dead letter in the outbox, no marker.
    assert rows(db, tables.inbox) == []
    assert rows(db, tables.outbox) == []
    assert rows(db, dead_letter_marks) == []


# --- what a consumer skips -----------------------------------------------------------------


def test_an_unknown_event_type_is_skipped_without_error_or_dead_letter(
    db: Database, bus: Bus, make_consumer: ConsumerFactory, group: str, kind: str, topic: str
) -> None:
    unknown = make_event(f"{kind}.renamed", 1)
    known = make_event(kind, 2)
    bus.publish(
        [
            dataclasses.replace(to_message(unknown, key="settlement-1"), topic=topic),
            to_message(known, key="settlement-1"),
        ]
    )
    consumer = make_consumer()

    _, outcomes = handle_without_commit(bus, group, topic, consumer, 2)

    assert outcomes == ["skipped", "done"]
    assert effect_ids(db) == [known.get_id()]
    assert inbox_outcomes(db) == {known.get_id(): "done"}
    assert rows(db, tables.outbox) == []


def test_a_newer_minor_data_version_is_handled_and_a_newer_major_is_skipped(
    db: Database, bus: Bus, make_consumer: ConsumerFactory, group: str, kind: str, topic: str
) -> None:
    minor = make_event(kind, 1, dataversion="1.7")
    major = make_event(kind, 2, dataversion="2.0")
    bus.publish([to_message(minor, key="settlement-1"), to_message(major, key="settlement-1")])
    consumer = make_consumer()

    _, outcomes = handle_without_commit(bus, group, topic, consumer, 2)

    assert outcomes == ["done", "skipped"]
    assert effect_ids(db) == [minor.get_id()]
    assert inbox_outcomes(db) == {minor.get_id(): "done"}
    assert rows(db, tables.outbox) == []


def test_a_record_that_is_no_cloud_event_is_dead_lettered_once(
    db: Database,
    bus: Bus,
    relay: OutboxRelay,
    make_consumer: ConsumerFactory,
    group: str,
    topic: str,
) -> None:
    garbage = Message(topic=topic, key="settlement-1", value=b"this is not a CloudEvent")
    bus.publish([garbage])
    handler_calls: list[str] = []
    consumer = make_consumer(lambda session, event: handler_calls.append(event.get_id()))

    _, outcomes = handle_without_commit(bus, group, topic, consumer, 1)
    assert outcomes == ["dead_letter"]
    [row] = rows(db, tables.inbox)
    assert (row["event_type"], row["outcome"]) == ("unreadable", "failed")

    # Redelivered to the next member (the first died before committing): not dead-lettered again.
    successor = make_consumer()
    assert run_until_seen(successor, 1) == 1
    assert handler_calls == []
    assert len(rows(db, tables.inbox)) == 1

    assert relay_all(relay) == 1
    [letter] = read_topic(bus, dead_letter_topic(group), 1)
    assert letter.value == garbage.value
    assert letter.headers[ORIGINAL_TOPIC_HEADER] == topic.encode()
    assert letter.headers[CONSUMER_HEADER] == group.encode()
    assert letter.headers[ERROR_HEADER].decode().startswith("unreadable event:")


def test_unreadable_records_at_the_same_offset_of_two_partitions_are_both_dead_lettered(
    db: Database, make_consumer: ConsumerFactory, topic: str
) -> None:
    # On Kafka, offsets count per partition: both records exist side by side.
    first = Record(topic, 0, 7, "settlement-1", b"not a CloudEvent (partition 0)")
    second = Record(topic, 1, 7, "settlement-2", b"not a CloudEvent (partition 1)")
    consumer = make_consumer()

    assert [consumer.handle(first), consumer.handle(second)] == ["dead_letter", "dead_letter"]
    assert len(rows(db, tables.outbox)) == 2
    assert consumer.handle(second) == "duplicate"  # a real redelivery still is one


# --- offsets -------------------------------------------------------------------------------


def test_run_once_commits_offsets_so_the_group_does_not_receive_handled_records_again(
    db: Database, bus: Bus, make_consumer: ConsumerFactory, kind: str
) -> None:
    events = [make_event(kind, n) for n in range(5)]
    bus.publish([to_message(event, key="settlement-1") for event in events])

    first = make_consumer()
    assert run_until_seen(first, 5) == 5
    first.close()

    calls: list[str] = []
    second = make_consumer(lambda session, event: calls.append(event.get_id()))
    assert second.run_once(timeout=QUIET_SECONDS) == 0

    later = make_event(kind, 5)
    bus.publish([to_message(later, key="settlement-1")])
    assert run_until_seen(second, 1) == 1
    assert calls == [later.get_id()]
    assert len(rows(db, effects)) == 5


def test_a_member_killed_before_committing_leaves_its_records_to_the_next_as_no_ops(
    db: Database, bus: Bus, make_consumer: ConsumerFactory, group: str, kind: str, topic: str
) -> None:
    events = [make_event(kind, n) for n in range(5)]
    bus.publish([to_message(event, key="settlement-1") for event in events])
    consumer = make_consumer()

    records, outcomes = handle_without_commit(bus, group, topic, consumer, 5)
    assert outcomes == ["done"] * 5

    again, outcomes = handle_without_commit(bus, group, topic, consumer, 5)
    assert [(r.topic, r.partition, r.offset) for r in again] == [
        (r.topic, r.partition, r.offset) for r in records
    ]
    assert outcomes == ["duplicate"] * 5
    assert effect_ids(db) == sorted(event.get_id() for event in events)
    assert set(inbox_outcomes(db).values()) == {"done"}

    successor = make_consumer()
    assert run_until_seen(successor, 5) == 5  # still uncommitted: re-received, and no-ops
    assert len(rows(db, effects)) == 5


# --- order ---------------------------------------------------------------------------------


def test_the_events_of_one_key_are_applied_in_order(
    db: Database, relay: OutboxRelay, make_consumer: ConsumerFactory, kind: str
) -> None:
    keys = [f"settlement-{k}" for k in range(5)]
    for n in range(10):
        for key in keys:  # interleaved: k0:0, k1:0, ..., k4:0, k0:1, ...
            add_events(db, [make_event(kind, n, subject=key)], key=key)
    relay.batch_size = 7
    assert relay_all(relay) == 50

    applied: list[tuple[str, int]] = []

    def record_order(session: Session, event: CloudEvent) -> None:
        data = event.get_data()
        assert isinstance(data, dict)
        applied.append((event.get_subject() or "", data["n"]))
        apply_effect(session, event)

    consumer = make_consumer(record_order, batch_size=8)
    assert run_until_seen(consumer, 50) == 50

    assert len(applied) == 50
    for key in keys:
        assert [n for subject, n in applied if subject == key] == list(range(10))
    assert len(rows(db, effects)) == 50
