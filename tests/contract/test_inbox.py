"""Contract tests of the consumer's inbox (README, "How it holds together"): exactly-once effects on
the at-least-once bus, what a consumer skips, and the offsets it commits.

On the test-only service of `tests.contract.support` and on every bus engine (the `bus` fixture).
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.db import Database
from shared.events.bus import Bus
from shared.events.consumer import rebuild_group
from shared.events.envelope import CloudEvent, to_message
from tests.contract.support import (
    MAX_ATTEMPTS,
    QUIET_SECONDS,
    Boom,
    ConsumerFactory,
    apply_effect,
    assert_only_effect_is,
    ce_id,
    effect_ids,
    effects,
    handle_without_commit,
    inbox_outcomes,
    make_event,
    rows,
    run_until_seen,
)

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
    assert_only_effect_is(db, event)


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
    assert_only_effect_is(db, known)


def test_a_newer_minor_data_version_is_handled_and_a_newer_major_is_skipped(
    db: Database, bus: Bus, make_consumer: ConsumerFactory, group: str, kind: str, topic: str
) -> None:
    minor = make_event(kind, 1, dataversion="2.7")
    major = make_event(kind, 2, dataversion="3.0")
    bus.publish([to_message(minor, key="settlement-1"), to_message(major, key="settlement-1")])
    consumer = make_consumer()

    _, outcomes = handle_without_commit(bus, group, topic, consumer, 2)

    assert outcomes == ["done", "skipped"]
    assert_only_effect_is(db, minor)


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


# --- reading the log again from its start (a view rebuilt, as `luohu coordination rebuild`) ----


def test_reading_from_the_start_applies_the_whole_log_and_commits_nothing(
    db: Database, bus: Bus, make_consumer: ConsumerFactory, group: str, kind: str, topic: str
) -> None:
    events = [make_event(kind, n) for n in range(3)]
    ids = sorted(event.get_id() for event in events)
    bus.publish([to_message(event, key=f"settlement-{n}") for n, event in enumerate(events)])
    consumer = make_consumer()

    assert consumer.read_from_start(idle_polls=2, first_within=20.0) == 3
    assert sorted(effect_ids(db)) == ids
    assert inbox_outcomes(db) == {event.get_id(): "done" for event in events}
    # Never committed: a second reading starts at the start again, each effect still once.
    assert consumer.read_from_start(idle_polls=2, first_within=20.0) == 3
    assert sorted(effect_ids(db)) == ids
    assert bus.unconsumed(rebuild_group(group), topic) == 3
    # The live group keeps its place: it reads all three, as duplicates of what was applied.
    assert bus.unconsumed(group, topic) == 3
    assert run_until_seen(consumer, 3) == 3
    assert sorted(effect_ids(db)) == ids
