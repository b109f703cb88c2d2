"""What SQLite's one writer hides and PostgreSQL shows: races on approvals, people, events."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

from services.hukou import approvals, operations, schemas
from services.hukou.app import SPEC
from services.hukou.decision_schemas import ApprovalIn
from services.hukou.models import TABLES, SettlementApplication
from services.hukou.rules import PARAMETERS, RULES_VERSIONS
from shared.db import Database, new_metadata, platform_tables
from shared.errors import Conflict
from shared.events.bus import Record
from shared.events.consumer import EventConsumer, Subscription
from shared.events.envelope import new_event, to_message
from shared.idempotency import run_idempotent
from shared.keys import keyring_for
from shared.settings import Settings
from tests.api.conftest import application
from tests.conftest import person_id
from tests.support import session_keys


def race(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions at the same moment in threads; each result or raised exception."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int, action: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            results[index] = action()
        except Exception as exc:
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def hukou_db(database_url: str) -> Database:
    SPEC.migrate(database_url)
    db = Database(database_url)
    yield db  # type: ignore[misc]
    db.dispose()


def submit(db: Database, body: dict[str, Any], *, key: str | None = None) -> str:
    """Submit `body` in one idempotent unit of work (under `key`, when given): the new id."""
    request = schemas.SettlementApplicationIn.model_validate(body)

    def operation(session: Any) -> tuple[int, Any]:
        created = operations.submit_application(
            session,
            request,
            actor="test",
            versions=RULES_VERSIONS,
            parameters=PARAMETERS,
            today=date(2019, 6, 1),
        )
        return 201, created.id

    _, application_id = run_idempotent(
        db,
        TABLES,
        dept="public_security",
        key=key,
        route="submit",
        body=body,
        operation=operation,
    )
    return str(application_id)


def approve(db: Database, application_id: str) -> str:
    with db.unit_of_work() as session:
        approvals.approve_application(
            session,
            application_id,
            ApprovalIn(),
            actor="test",
            recipients=keyring_for(Settings(keys_dir=session_keys())).bundle(),
        )
    return "approved"


def test_two_approvals_at_once_make_one_approval_and_one_event(hukou_db: Database) -> None:
    application_id = submit(hukou_db, application())

    results = race(
        lambda: approve(hukou_db, application_id), lambda: approve(hukou_db, application_id)
    )

    assert sorted(type(r).__name__ for r in results) == ["Conflict", "str"]
    with hukou_db.read_only() as session:
        events = session.execute(select(func.count()).select_from(TABLES.outbox)).scalar_one()
        status = session.get(SettlementApplication, application_id).status  # type: ignore[union-attr]
    assert (events, status) == (1, "approved")


def test_two_applications_for_one_person_at_once_admit_one(hukou_db: Database) -> None:
    shared_child = {"id_number": person_id(date(2012, 3, 3)), "name": "张小", "relation": "child"}
    first = application(household=[shared_child])
    second = application(household=[shared_child])

    results = race(lambda: submit(hukou_db, first), lambda: submit(hukou_db, second))

    assert sorted(type(r).__name__ for r in results) == ["Conflict", "str"]
    conflict = next(r for r in results if isinstance(r, Conflict))
    assert conflict.details[0]["field"] == "household[0].id_number"
    with hukou_db.read_only() as session:
        count = session.execute(
            select(func.count()).select_from(SettlementApplication)
        ).scalar_one()
    assert count == 1


def test_two_consumers_of_one_group_never_both_apply_an_event(database_url: str) -> None:
    metadata: MetaData = new_metadata()
    tables = platform_tables(metadata)
    effects = Table("effects", metadata, Column("event_id", String(64)), Column("n", Integer))
    db = Database(database_url)
    metadata.create_all(db.engine)
    applied = threading.Barrier(2, timeout=2)

    def apply(session: Any, event: Any) -> None:
        session.execute(insert(effects).values(event_id=event.get_id(), n=1))
        session.flush()
        # On PostgreSQL both handlers write before either commits, so the inbox must decide;
        # SQLite's single writer makes the second wait (and the barrier give up) instead.
        with contextlib.suppress(threading.BrokenBarrierError):
            applied.wait()

    subscription = Subscription(group="department", handlers={"t.approved": [apply]})
    event = new_event(type_="t.approved", source="/test", subject="s-1", data={"n": 1})
    message = to_message(event, key="s-1")
    record = Record(message.topic, 0, 0, message.key, message.value, message.headers)
    members = [
        EventConsumer(subscription=subscription, db=db, tables=tables, bus=None, backoff=0.01)  # type: ignore[arg-type]
        for _ in range(2)
    ]

    outcomes = race(*(lambda m=m: m.handle(record) for m in members))

    try:
        with db.read_only() as session:
            rows = session.execute(select(func.count()).select_from(effects)).scalar_one()
        assert sorted(outcomes) == ["done", "duplicate"]
        assert rows == 1
    finally:
        db.dispose()


def test_one_key_sent_twice_at_once_creates_once_and_both_get_the_first_answer(
    hukou_db: Database,
) -> None:
    body = application()

    first, second = race(
        lambda: submit(hukou_db, body, key="one-key"), lambda: submit(hukou_db, body, key="one-key")
    )
    assert first == second, (first, second)  # the loser answers the winner's answer
    assert isinstance(first, str)
    with hukou_db.read_only() as session:
        count = session.execute(select(func.count()).select_from(SettlementApplication)).scalar()
        keys = session.execute(select(func.count()).select_from(TABLES.idempotency_keys)).scalar()
    assert (count, keys) == (1, 1)


def test_a_read_is_one_snapshot_whatever_commits_meanwhile(hukou_db: Database) -> None:
    """An answer read in several queries (an application, then its fan-out) is never torn by a
    department's report committing between them."""
    application_id = submit(hukou_db, application())
    approve(hukou_db, application_id)
    with hukou_db.read_only() as reading:
        before = reading.execute(
            select(SettlementApplication.status).where(SettlementApplication.id == application_id)
        ).scalar_one()
        with hukou_db.unit_of_work() as writing:
            writing.get(SettlementApplication, application_id).status = "settled"  # type: ignore[union-attr]
        after = reading.execute(
            select(SettlementApplication.status).where(SettlementApplication.id == application_id)
        ).scalar_one()
    with hukou_db.read_only() as later:
        now = later.execute(
            select(SettlementApplication.status).where(SettlementApplication.id == application_id)
        ).scalar_one()

    assert (before, after) == ("approved", "approved"), "the read saw one moment"
    assert now == "settled"
