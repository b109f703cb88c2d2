"""Contract tests of the transactional outbox (README, "How it holds together"): events written with
the change that caused them, relayed in order at least once, and applied in order per key.

On the test-only service of `tests.contract.support` and on every bus engine (the `bus` fixture).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

import shared.events.outbox as outbox_module
from shared.db import Database
from shared.events.bus import Bus
from shared.events.envelope import CloudEvent
from shared.events.outbox import OutboxRelay, add_to_outbox
from tests.contract.support import (
    Boom,
    ConsumerFactory,
    add_events,
    apply_effect,
    ce_id,
    effect_ids,
    effects,
    inbox_outcomes,
    make_event,
    read_topic,
    relay_all,
    rows,
    run_until_seen,
    tables,
)

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
