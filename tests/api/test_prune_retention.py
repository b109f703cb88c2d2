"""What `luohu prune` removes (docs/operations.md, "Retention"): what is past its retention goes,
counted in Shaoguan days; what is unsent, unhandled or awaiting a replay stays, in SQLite and in
the embedded event log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared import clock
from shared.db import Database
from shared.events.consumer import EventConsumer, Subscription, dead_letter_topic
from shared.events.deadletters import replay_dead_letters, waiting_dead_letters
from shared.events.embedded import EmbeddedBus
from shared.events.envelope import CloudEvent, to_message, topic_of
from shared.events.outbox import OutboxRelay, add_to_outbox
from shared.idempotency import KeyedRequest, remember, replay
from shared.registry import DOWNSTREAM_SERVICES, SETTLEMENT_APPROVED
from shared.retention import (
    Pruned,
    RetentionPolicy,
    event_log_readers,
    first_day_kept,
    prune_event_log,
    prune_service,
)
from shared.settings import Settings
from tests.api.prune_support import (
    LATER,
    NOT_YET,
    TABLES,
    THIRTY,
    TODAY,
    counts,
    event,
    nothing_waits,
    rows,
    store_key,
)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'housing.db'}")
    TABLES.metadata.create_all(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def bus(tmp_path: Path) -> Iterator[EmbeddedBus]:
    log = EmbeddedBus(tmp_path / "events.db")
    yield log
    log.close()


# ---- the calendar --------------------------------------------------------------------------


def test_retention_is_counted_in_shaoguan_days() -> None:
    assert first_day_kept(30, date(2024, 4, 9)) == date(2024, 3, 10)
    # The day that is kept begins at 16:00 UTC the evening before, in Shaoguan (UTC+8).
    assert clock.day_start(date(2024, 3, 10)) == datetime(2024, 3, 9, 16, tzinfo=UTC)


def test_a_key_stored_on_a_kept_shaoguan_day_stays_though_its_utc_date_is_earlier(
    db: Database,
) -> None:
    keys = TABLES.idempotency_keys
    with db.unit_of_work() as session:
        for key in ("evening", "afternoon"):
            remember(
                session,
                TABLES,
                KeyedRequest("housing", key, "/v1/x", "h"),
                status_code=201,
                response={},
            )
        # 17:00 UTC on 9 March is 01:00 on 10 March in Shaoguan: a kept day.
        session.execute(
            update(keys)
            .where(keys.c.key == "evening")
            .values(created_at=datetime(2024, 3, 9, 17, tzinfo=UTC))
        )
        # 15:00 UTC is 23:00 on 9 March in Shaoguan: before it.
        session.execute(
            update(keys)
            .where(keys.c.key == "afternoon")
            .values(created_at=datetime(2024, 3, 9, 15, tzinfo=UTC))
        )
    pruned, _ = prune_service(
        "housing", db, TABLES, THIRTY, waiting=nothing_waits, today=date(2024, 4, 9)
    )
    assert counts(pruned)["idempotency_keys"] == 1
    with db.read_only() as session:
        assert session.scalars(select(keys.c.key)).all() == ["evening"]


# ---- outbox ----------------------------------------------------------------------------------


def test_old_published_outbox_rows_go_and_unsent_ones_stay(db: Database, bus: EmbeddedBus) -> None:
    outbox = TABLES.outbox
    with db.unit_of_work() as session:
        add_to_outbox(session, TABLES, event(1), key="settlement-1")
        add_to_outbox(session, TABLES, event(2), key="settlement-2")
    assert OutboxRelay(service="housing", db=db, tables=TABLES, bus=bus).run_once() == 2
    with db.unit_of_work() as session:  # written, never sent (Kafka away, say)
        add_to_outbox(session, TABLES, event(3), key="settlement-3")

    pruned, _ = prune_service("housing", db, TABLES, THIRTY, waiting=nothing_waits, today=NOT_YET)
    assert counts(pruned)["outbox"] == 0
    assert rows(db, outbox) == 3

    pruned, _ = prune_service("housing", db, TABLES, THIRTY, waiting=nothing_waits, today=LATER)
    assert counts(pruned)["outbox"] == 2
    assert rows(db, outbox) == 1
    assert rows(db, outbox, outbox.c.published_at.is_(None)) == 1, "the unsent row stays"
    # Years later it is still there, and the relay still sends it.
    far = TODAY + timedelta(days=3650)
    prune_service("housing", db, TABLES, THIRTY, waiting=nothing_waits, today=far)
    assert OutboxRelay(service="housing", db=db, tables=TABLES, bus=bus).run_once() == 1


# ---- inbox -----------------------------------------------------------------------------------


class Department:
    """A consumer of its own topic whose handler fails while `broken`."""

    def __init__(self, db: Database, bus: EmbeddedBus) -> None:
        self.db, self.bus = db, bus
        self.broken: set[int] = set()
        self.type = "cn.gov.shaoguan.prunetest.thing.happened"
        self.group = "prunetest"
        self.consumer = EventConsumer(
            subscription=Subscription(group=self.group, handlers={self.type: [self.apply]}),
            db=db,
            tables=TABLES,
            bus=bus,
            max_attempts=1,
            backoff=0,
        )
        self.relay = OutboxRelay(service="housing", db=db, tables=TABLES, bus=bus)
        self.applied: list[int] = []

    def apply(self, session: Session, event: CloudEvent) -> None:
        n = event.get_data()["n"]  # type: ignore[index]
        if n in self.broken:
            raise RuntimeError("the county's parameter table is missing")
        self.applied.append(n)

    def send(self, *numbers: int) -> list[str]:
        events = [event(n, self.type) for n in numbers]
        self.bus.publish([to_message(e, key=e.get_subject()) for e in events])
        return [e.get_id() for e in events]

    def consume(self) -> None:
        while self.consumer.run_once(timeout=0.05):
            pass

    def outcomes(self) -> dict[str, str]:
        inbox = TABLES.inbox
        with self.db.read_only() as session:
            found = session.execute(select(inbox.c.event_id, inbox.c.outcome)).all()
        return {row.event_id: row.outcome for row in found}

    def prune(self, today: date = LATER) -> Pruned:
        pruned, problems = prune_service(
            "housing",
            self.db,
            TABLES,
            THIRTY,
            waiting=lambda consumer: waiting_dead_letters(self.bus, consumer),
            today=today,
        )
        assert not problems
        (inbox,) = [p for p in pruned if p.table == "inbox"]
        return inbox


def test_old_inbox_entries_go_but_a_failed_one_stays_until_its_dead_letter_is_replayed(
    db: Database, bus: EmbeddedBus
) -> None:
    department = Department(db, bus)
    department.broken = {2}
    done, failed = department.send(1, 2)
    department.consume()
    assert department.outcomes() == {done: "done", failed: "failed"}

    assert department.prune(NOT_YET).rows == 0
    # The dead letter is still in the outbox (not relayed yet): it waits all the same.
    first = department.prune()
    assert first.rows == 1
    assert department.outcomes() == {failed: "failed"}
    assert first.kept == "1 failed, dead letters of prunetest not replayed"

    department.relay.run_once()  # the dead letter is on the bus now
    assert waiting_dead_letters(bus, department.group) == 1
    assert department.prune().rows == 0
    assert department.outcomes() == {failed: "failed"}

    department.broken = set()
    assert replay_dead_letters(bus, department.group, timeout=0.1) == 1
    assert waiting_dead_letters(bus, department.group) == 0
    # Replayed: nothing waits for the entry any more, and it goes.
    after = department.prune()
    assert (after.rows, after.kept) == (1, "")
    assert department.outcomes() == {}
    # The replay applies it all the same, once.
    department.consume()
    assert department.applied.count(2) == 1
    assert department.outcomes() == {failed: "done"}


def test_a_failed_entry_stays_while_its_redelivery_would_otherwise_be_applied(
    db: Database, bus: EmbeddedBus
) -> None:
    """The inbox's failed entry is what keeps a dead-lettered event from being applied by a
    redelivery before the fix: prune must not remove it while the dead letter waits."""
    department = Department(db, bus)
    department.broken = {7}
    department.send(7)
    department.consume()
    department.relay.run_once()
    department.prune()
    # A new member of the group that starts again from the log's start (offsets reset).
    again = EventConsumer(
        subscription=department.consumer.subscription,
        db=db,
        tables=TABLES,
        bus=bus,
        max_attempts=1,
        backoff=0,
    )
    department.broken = set()
    records = bus.read(topic_of(department.type))
    assert [again.handle(record) for record in records] == ["duplicate"]
    assert department.applied == []


# ---- idempotency keys ------------------------------------------------------------------------


def test_idempotency_keys_go_after_their_replay_window_and_recent_ones_stay(
    db: Database,
) -> None:
    old, recent = (KeyedRequest("housing", key, "/v1/housing/x", "h") for key in ("old", "new"))
    with db.unit_of_work() as session:
        remember(session, TABLES, old, status_code=201, response={"id": "a"})
    twenty_days_on = time_machine.travel(datetime.now(UTC) + timedelta(days=20), tick=True)
    with twenty_days_on, db.unit_of_work() as session:
        remember(session, TABLES, recent, status_code=201, response={"id": "b"})

    pruned, _ = prune_service("housing", db, TABLES, THIRTY, waiting=nothing_waits, today=LATER)
    assert counts(pruned)["idempotency_keys"] == 1
    with db.read_only() as session:
        assert replay(session, TABLES, old) is None  # past its window: a new request again
        stored = replay(session, TABLES, recent)
    assert stored is not None and stored.body == {"id": "b"}


def test_each_kind_may_keep_its_own_days(db: Database) -> None:
    settings = Settings(environment="test", retention_days=30, idempotency_retention_days=90)
    policy = RetentionPolicy.from_settings(settings)
    assert (policy.outbox_days, policy.inbox_days, policy.idempotency_days) == (30, 30, 90)
    assert policy.event_retention_ms == 30 * 24 * 3600 * 1000
    with db.unit_of_work() as session:
        store_key(session, "k")
    pruned, _ = prune_service("housing", db, TABLES, policy, waiting=nothing_waits, today=LATER)
    assert counts(pruned)["idempotency_keys"] == 0
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        Settings(environment="test", retention_days=0)
    with pytest.raises(ValueError, match="a redelivered event would be applied again"):
        Settings(environment="test", inbox_retention_days=7, event_retention_days=30)


# ---- the embedded event log ------------------------------------------------------------------


def test_log_entries_go_only_once_every_group_has_consumed_them(bus: EmbeddedBus) -> None:
    kind = "cn.gov.shaoguan.prunetest.thing.happened"
    topic = topic_of(kind)
    readers = {topic: {"first", "second"}}
    bus.publish([to_message(event(n, kind), key="k") for n in range(3)])
    first = bus.consumer(group="first", topics=[topic])
    first.commit(first.poll(max_records=10, timeout=1))
    assert bus.committed("first", topic) == 3

    def prune(today: date = LATER) -> dict[str, int]:
        return counts(prune_event_log(bus, THIRTY, readers=readers, today=today))

    # "second" has not started: nothing of its topic goes, however old.
    assert prune()[topic] == 0
    second = bus.consumer(group="second", topics=[topic])
    records = second.poll(max_records=1, timeout=1)
    second.commit(records)
    assert prune(NOT_YET)[topic] == 0, "consumed by both, but not old enough"
    assert prune()[topic] == 1, "only what both have committed past"
    assert [r.offset for r in bus.read(topic)] == [1, 2]
    second.commit(second.poll(max_records=10, timeout=1))
    assert prune()[topic] == 2
    assert bus.read(topic) == []

    # A topic emptied goes on from where the groups are: a new event is not offset 0 again.
    bus.publish([to_message(event(9, kind), key="k")])
    (fresh,) = first.poll(max_records=10, timeout=1)
    assert fresh.offset == 3
    assert bus.unconsumed("second", topic) == 1


def test_the_registry_s_readers_hold_the_log_until_each_has_read(bus: EmbeddedBus) -> None:
    readers = event_log_readers()
    approved = topic_of(SETTLEMENT_APPROVED)
    # The departments that follow settlements (tests/unit/test_registry.py names them) and
    # 四(一): the coordination office, which reads every approval too.
    assert readers[approved] == {*DOWNSTREAM_SERVICES, "coordination"}
    assert readers[dead_letter_topic("housing")] == {"deadletter-replayer.housing"}
    bus.publish([to_message(event(1), key="s1")])
    housing = bus.consumer(group="housing", topics=[approved])
    housing.commit(housing.poll(max_records=10, timeout=1))
    assert counts(prune_event_log(bus, THIRTY, today=LATER))[approved] == 0
    for group in readers[approved] - {"housing"}:
        member = bus.consumer(group=group, topics=[approved])
        member.commit(member.poll(max_records=10, timeout=1))
    assert counts(prune_event_log(bus, THIRTY, today=LATER))[approved] == 1


def test_a_topic_nobody_has_read_is_kept_whole(bus: EmbeddedBus) -> None:
    bus.publish([to_message(event(1, "cn.gov.shaoguan.nobody.thing.happened"), key="k")])
    far = TODAY + timedelta(days=3650)
    assert counts(prune_event_log(bus, THIRTY, readers={}, today=far)) == {
        "nobody.thing.happened": 0
    }
    assert len(bus.read("nobody.thing.happened")) == 1
