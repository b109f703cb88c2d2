"""Retention on every engine: the bus counts what a group has yet to commit (what `luohu prune`
asks of a consumer's dead letters), and a service database is pruned alike on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select

from shared import clock
from shared.db import Database
from shared.events.bus import Bus
from shared.events.envelope import to_message
from shared.events.outbox import OutboxRelay, add_to_outbox
from shared.idempotency import KeyedRequest, remember
from shared.retention import RetentionPolicy, prune_service
from tests.contract.support import drain, make_event, metadata, tables


def test_a_group_s_unconsumed_records_are_counted_without_joining_it(
    bus: Bus, topic: str, kind: str, group: str
) -> None:
    assert bus.unconsumed(group, topic) == 0, "no topic yet: nothing to consume"
    bus.publish([to_message(make_event(kind, n, subject=f"s{n}"), key=f"s{n}") for n in range(3)])
    assert bus.unconsumed(group, topic) == 3, "no commit yet: everything"
    member = bus.consumer(group=group, topics=[topic])
    try:
        records = drain(member, 3)
        assert len(records) == 3
        member.commit(records[:1])
        assert bus.unconsumed(group, topic) == 2
        member.commit(records)
        assert bus.unconsumed(group, topic) == 0
        assert bus.unconsumed(f"{group}.other", topic) == 3, "per group"
    finally:
        member.close()


def test_a_service_database_is_pruned_alike_on_every_engine(
    database_url: str, bus: Bus, kind: str
) -> None:
    db = Database(database_url)
    metadata.create_all(db.engine)
    try:
        with db.unit_of_work() as session:
            add_to_outbox(session, tables, make_event(kind, 1), key="s1")
        OutboxRelay(service="contract", db=db, tables=tables, bus=bus).run_once()
        with db.unit_of_work() as session:
            add_to_outbox(session, tables, make_event(kind, 2), key="s2")
            request = KeyedRequest("housing", "k", "/v1/x", "h")
            remember(session, tables, request, status_code=201, response={})
            for consumer, event_id, outcome in (
                ("quiet", "e1", "done"),
                ("quiet", "e2", "failed"),
                ("waiting", "e3", "failed"),
            ):
                session.execute(
                    insert(tables.inbox).values(
                        consumer=consumer,
                        event_id=event_id,
                        event_type="t",
                        outcome=outcome,
                        handled_at=clock.now(),
                    )
                )
        policy = RetentionPolicy(outbox_days=30, inbox_days=30, idempotency_days=30, event_days=30)
        later = clock.today() + timedelta(days=31)

        def waiting(consumer: str) -> int:
            return 1 if consumer == "waiting" else 0

        dry, _ = prune_service(
            "contract", db, tables, policy, waiting=waiting, dry_run=True, today=later
        )
        pruned, problems = prune_service(
            "contract", db, tables, policy, waiting=waiting, today=later
        )
        assert not problems
        expected = {"outbox": 1, "inbox": 2, "idempotency_keys": 1}
        assert {p.table: p.rows for p in dry} == expected
        assert {p.table: p.rows for p in pruned} == expected
        with db.read_only() as session:
            assert session.scalars(select(tables.inbox.c.event_id)).all() == ["e3"]
            unsent = session.scalar(
                select(func.count())
                .select_from(tables.outbox)
                .where(tables.outbox.c.published_at.is_(None))
            )
            assert unsent == 1
            assert session.scalar(select(func.count()).select_from(tables.outbox)) == 1
    finally:
        db.dispose()
