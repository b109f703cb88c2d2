"""A dead letter keeps when it was dead-lettered (`luohu-dead-lettered-at`), so the office can
say how long it has waited (四(三)); the backlog is what the replayer has not replayed, read
without joining the replayer's group."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from shared.db import Database
from shared.events.bus import Message
from shared.events.consumer import (
    DEAD_LETTERED_AT_HEADER,
    EventConsumer,
    Subscription,
    dead_letter_topic,
)
from shared.events.deadletters import (
    Backlog,
    dead_letter_backlog,
    pending_dead_letters,
    replay_dead_letters,
    replayer_group,
)
from shared.events.embedded import EmbeddedBus
from shared.events.envelope import topic_of
from shared.events.outbox import OutboxRelay
from tests.api.prune_support import TABLES

TYPE = "cn.gov.shaoguan.agetest.thing.happened"
GROUP = "agetest"
FIRST = datetime(2026, 12, 1, 3, 0, 5, tzinfo=UTC)
SECOND = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)


@pytest.fixture
def log(tmp_path: Path) -> Iterator[tuple[Database, EmbeddedBus]]:
    """The consumer's database (its inbox and outbox) and the event log."""
    db, bus = Database(f"sqlite:///{tmp_path / 'agetest.db'}"), EmbeddedBus(tmp_path / "log")
    TABLES.metadata.create_all(db.engine)
    try:
        yield db, bus
    finally:
        bus.close()
        db.dispose()


@pytest.fixture
def db(log: tuple[Database, EmbeddedBus]) -> Database:
    return log[0]


@pytest.fixture
def bus(log: tuple[Database, EmbeddedBus]) -> EmbeddedBus:
    return log[1]


def dead_letter_unreadable(
    db: Database, bus: EmbeddedBus, value: bytes | None, when: datetime
) -> None:
    """An unreadable record on the consumer's topic (`value`, or what was replayed to it),
    dead-lettered at `when` and relayed."""
    if value is not None:
        bus.publish([Message(topic_of(TYPE), "k", value)])
    consumer = EventConsumer(
        subscription=Subscription(group=GROUP, handlers={TYPE: []}),
        db=db,
        tables=TABLES,
        bus=bus,
        max_attempts=1,
        backoff=0,
    )
    with time_machine.travel(when, tick=False):
        while consumer.run_once(timeout=0.05):
            pass
    consumer.close()
    assert OutboxRelay(service="housing", db=db, tables=TABLES, bus=bus).run_once() == 1


def test_the_dead_letter_carries_when_it_was_dead_lettered(db: Database, bus: EmbeddedBus) -> None:
    dead_letter_unreadable(db, bus, b"not an event", FIRST)
    (record,) = bus.read(dead_letter_topic(GROUP))
    assert record.headers[DEAD_LETTERED_AT_HEADER] == b"2026-12-01T03:00:05+00:00"
    (letter,) = pending_dead_letters(bus, GROUP, timeout=0.1)
    assert letter.at == FIRST
    # Replayed, the record goes back without the dead-lettering's headers.
    assert replay_dead_letters(bus, GROUP, timeout=0.1) == 1
    replayed = bus.read(topic_of(TYPE))[-1]
    assert DEAD_LETTERED_AT_HEADER not in replayed.headers


def test_a_dead_letter_from_before_the_time_was_kept_has_no_age(bus: EmbeddedBus) -> None:
    bus.publish([Message(dead_letter_topic(GROUP), "k", b"x", {"luohu-error": b"old"})])
    (letter,) = pending_dead_letters(bus, GROUP, timeout=0.1)
    assert letter.at is None
    backlog = dead_letter_backlog(bus, GROUP, group="incidents.test", timeout=0.1)
    assert backlog == Backlog(waiting=1, oldest_at=None)


def test_the_backlog_is_what_waits_for_the_replayer_and_its_oldest(
    db: Database, bus: EmbeddedBus
) -> None:
    assert dead_letter_backlog(bus, GROUP, group="incidents.test") == Backlog(0, None)
    dead_letter_unreadable(db, bus, b"first", FIRST)
    assert dead_letter_backlog(bus, GROUP, group="incidents.test", timeout=0.1) == Backlog(1, FIRST)
    assert replay_dead_letters(bus, GROUP, timeout=0.1) == 1
    assert dead_letter_backlog(bus, GROUP, group="incidents.test") == Backlog(0, None)
    # Replayed, it fails again: dead-lettered anew, it has waited since then.
    dead_letter_unreadable(db, bus, None, SECOND)
    backlog = dead_letter_backlog(bus, GROUP, group="incidents.test", timeout=0.1)
    assert backlog == Backlog(waiting=1, oldest_at=SECOND)
    # Read in a group of its own that never commits: the replayer's offset did not move, and
    # a second reading sees the same.
    assert bus.committed_offsets(replayer_group(GROUP), dead_letter_topic(GROUP)) == {0: 1}
    assert dead_letter_backlog(bus, GROUP, group="incidents.test", timeout=0.1) == backlog
    assert bus.committed_offsets("incidents.test", dead_letter_topic(GROUP)) == {}
