"""Dead letters wait until the cause is fixed, then `luohu deadletters replay` applies them."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, String, Table, func, insert, select
from typer.testing import CliRunner

from shared.cli import app as cli
from shared.db import Database, new_metadata, platform_tables
from shared.events.bus import Bus
from shared.events.consumer import EventConsumer, Subscription
from shared.events.deadletters import pending_dead_letters, replay_dead_letters
from shared.events.envelope import new_event, to_message, topic_of
from shared.events.outbox import OutboxRelay
from tests.contract.support import unique

metadata = new_metadata()
TABLES = platform_tables(metadata)
EFFECTS = Table(
    "effects", metadata, Column("event_id", String(64), primary_key=True), Column("n", Integer)
)


class Department:
    """A consumer whose handler fails while `broken`, with its relay and database."""

    def __init__(self, bus: Bus, tmp_path: Path) -> None:
        self.bus = bus
        self.broken = True
        self.poisoned: set[str] = set()
        self.attempts: list[str] = []
        self.type = unique("test.thing.happened")
        self.group = unique("department")
        self.db = Database(f"sqlite:///{tmp_path / 'department.db'}")
        metadata.create_all(self.db.engine)
        subscription = Subscription(group=self.group, handlers={self.type: [self.apply]})
        self.consumer = EventConsumer(
            subscription=subscription, db=self.db, tables=TABLES, bus=bus, max_attempts=2, backoff=0
        )
        self.relay = OutboxRelay(service="department", db=self.db, tables=TABLES, bus=bus)

    def _topic(self) -> str:
        return topic_of(self.type)

    def apply(self, session: Any, event: Any) -> None:
        self.attempts.append(event.get_id())
        if self.broken or event.get_id() in self.poisoned:
            raise RuntimeError("the county's parameter table is missing")
        session.execute(insert(EFFECTS).values(event_id=event.get_id(), n=1))

    def consume_until(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        seen = 0
        while seen < count and time.monotonic() < deadline:
            seen += self.consumer.run_once(timeout=0.5)
        self.relay.run_once()  # publishes what the consumer wrote (dead letters)
        assert seen >= count, f"consumed {seen} of {count}"

    def effects(self) -> int:
        with self.db.read_only() as session:
            return int(session.execute(select(func.count()).select_from(EFFECTS)).scalar_one())

    def close(self) -> None:
        self.consumer.close()
        self.db.dispose()


@pytest.fixture
def department(bus: Bus, tmp_path: Path) -> Any:
    made = Department(bus, tmp_path)
    yield made
    made.close()


def test_a_dead_letter_waits_for_the_fix_and_a_replay_applies_it_once(
    bus: Bus, department: Department
) -> None:
    event = new_event(type_=department.type, source="/test", subject="s-1", data={"n": 1})
    bus.publish([to_message(event, key="s-1")])
    department.consume_until(1)

    (letter,) = pending_dead_letters(bus, department.group)
    assert "parameter table is missing" in letter.error
    assert letter.original_topic == department._topic()
    assert department.effects() == 0

    department.broken = False
    assert replay_dead_letters(bus, department.group) == 1
    department.consume_until(1)

    assert department.effects() == 1
    assert pending_dead_letters(bus, department.group) == []
    assert replay_dead_letters(bus, department.group) == 0, (
        "a replayed letter is not replayed again"
    )


def test_the_command_line_lists_and_replays_a_service_s_dead_letters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LUOHU_DATA_DIR", str(tmp_path / "var"))
    from shared.events.embedded import EmbeddedBus

    bus = EmbeddedBus(tmp_path / "var" / "events.db")
    department = Department(bus, tmp_path)
    try:
        event = new_event(type_=department.type, source="/test", subject="s-1", data={})
        bus.publish([to_message(event, key="s-1")])
        department.consume_until(1)
        runner = CliRunner()

        listed = runner.invoke(cli, ["deadletters", "list", department.group])
        assert listed.exit_code == 0, listed.output
        assert "1 dead letter(s) waiting" in listed.output
        assert "parameter table is missing" in listed.output

        department.broken = False
        replayed = runner.invoke(cli, ["deadletters", "replay", department.group])
        assert replayed.exit_code == 0, replayed.output
        assert f"replayed 1 dead letter(s) for {department.group}" in replayed.output
        department.consume_until(1)
        assert department.effects() == 1
    finally:
        department.close()
        bus.close()


def test_a_failing_event_in_a_batch_costs_its_neighbours_nothing(
    bus: Bus, department: Department
) -> None:
    department.broken = False
    events = [
        new_event(type_=department.type, source="/test", subject=f"s-{n}", data={"n": n})
        for n in range(3)
    ]
    department.poisoned = {events[1].get_id()}
    bus.publish([to_message(event, key=f"s-{n}") for n, event in enumerate(events)])

    department.consume_until(3)

    assert department.effects() == 2, "the first and the third were applied, once each"
    poison_attempts = department.attempts.count(events[1].get_id())
    assert poison_attempts == department.consumer.max_attempts, "the batch was its first try"
    (letter,) = pending_dead_letters(bus, department.group)
    assert letter.record.key == "s-1"
