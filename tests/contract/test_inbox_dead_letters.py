"""Contract tests of dead letters (README, "How it holds together"): bounded retries, then the event
goes to its consumer's dead-letter topic through the outbox, once, and can be replayed.

On the test-only service of `tests.contract.support` and on every bus engine (the `bus` fixture).
"""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from shared.db import Database
from shared.events.bus import Bus, Message, Record
from shared.events.consumer import (
    CONSUMER_HEADER,
    ERROR_HEADER,
    ORIGINAL_TOPIC_HEADER,
    REPLAY_HEADER,
    dead_letter_topic,
)
from shared.events.envelope import CloudEvent, to_message
from shared.events.outbox import OutboxRelay
from tests.contract.support import (
    MAX_ATTEMPTS,
    Boom,
    ConsumerFactory,
    apply_effect,
    dead_letter_marks,
    effect_ids,
    effects,
    handle_without_commit,
    inbox_outcomes,
    make_event,
    read_topic,
    relay_all,
    rows,
    run_until_seen,
    tables,
)

# --- what a handler cannot apply ----------------------------------------------------------


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


# --- what is no CloudEvent at all ----------------------------------------------------------


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
