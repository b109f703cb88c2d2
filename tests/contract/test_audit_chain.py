"""The audit chain under concurrent writers on each engine (四(四) "纳入审计监督范围"): appends
at once never fork it (on PostgreSQL the advisory lock serialises them; on SQLite the writer's
BEGIN IMMEDIATE), none fails for it, and the lock never closes a deadlock."""

from __future__ import annotations

import threading
import time
from functools import partial

from sqlalchemy import Column, Integer, Table, insert, select, update
from sqlalchemy.orm import Session

from shared.audit import record_audit
from shared.audit_chain import verify_chain
from shared.db import Database, new_metadata, platform_tables
from tests.contract.test_concurrency import race

TABLES = platform_tables(new_metadata())
THINGS = Table(
    "things", TABLES.metadata, Column("id", Integer, primary_key=True), Column("n", Integer)
)
WRITERS = 6
EACH = 15


def record(session: Session, entity_id: str) -> None:
    record_audit(
        session, TABLES, actor="test", action="thing.done", entity_type="thing", entity_id=entity_id
    )


def test_writers_appending_at_once_keep_one_chain(database_url: str) -> None:
    setup = Database(database_url)
    TABLES.metadata.create_all(setup.engine)
    writers = [Database(database_url) for _ in range(WRITERS)]  # one engine each

    def write(db: Database, number: int) -> None:
        for n in range(EACH):
            with db.unit_of_work() as session:
                record(session, f"w{number}-{n}")
                time.sleep(0.002)  # the transaction stays open after it read the head

    outcomes = race(*(partial(write, db, number) for number, db in enumerate(writers)))
    try:
        assert outcomes == [None] * WRITERS
        log = TABLES.audit_log
        with setup.read_only() as session:
            sequences = session.execute(select(log.c.sequence).order_by(log.c.sequence))
            assert list(sequences.scalars()) == list(range(1, WRITERS * EACH + 1))
            verdict = verify_chain(session, TABLES)
        assert verdict.first_break is None and verdict.head.sequence == WRITERS * EACH
    finally:
        for db in (*writers, setup):
            db.dispose()


def test_a_row_locked_before_an_append_and_after_another_is_no_deadlock(postgres_url: str) -> None:
    """The first transaction locks a row and then records; the second records and then wants
    the row. Were the chain's lock taken when recording, each would wait for the other."""
    db = Database(postgres_url)
    TABLES.metadata.create_all(db.engine)
    with db.unit_of_work() as session:
        session.execute(insert(THINGS).values(id=1, n=0))
    row_locked, second_recorded = threading.Event(), threading.Event()

    def first() -> None:
        with db.unit_of_work() as session:
            session.execute(update(THINGS).where(THINGS.c.id == 1).values(n=1))
            row_locked.set()
            second_recorded.wait(timeout=10)
            record(session, "first")

    def second() -> None:
        row_locked.wait(timeout=10)
        with db.unit_of_work() as session:
            record(session, "second")
            second_recorded.set()
            session.execute(update(THINGS).where(THINGS.c.id == 1).values(n=2))

    outcomes = race(first, second)
    try:
        assert outcomes == [None, None]
        with db.read_only() as session:
            log = TABLES.audit_log
            order = session.execute(select(log.c.entity_id).order_by(log.c.sequence)).scalars()
            assert list(order) == ["first", "second"]  # the chain is in commit order
            assert verify_chain(session, TABLES).first_break is None
    finally:
        db.dispose()
