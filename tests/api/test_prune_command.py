"""The `luohu prune` command: it prints what it removes per service and table, removes nothing
on a dry run, names the services it has nothing for and refuses unknown ones; `luohu topics
create` gives the topics the retention prune keeps."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import insert
from typer.testing import CliRunner

from shared import clock
from shared.cli import app as cli
from shared.db import Database
from shared.events.consumer import dead_letter_topic
from shared.events.embedded import EmbeddedBus
from shared.events.envelope import topic_of
from shared.events.outbox import OutboxRelay, add_to_outbox
from shared.registry import SETTLEMENT_APPROVED
from shared.retention import event_log_readers, first_day_kept
from shared.settings import Settings
from tests.api.prune_support import TABLES, event, rows, store_key
from tests.support import quick_settings


@pytest.fixture
def platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The environment `luohu` reads: the embedded engines under a temporary folder."""
    monkeypatch.setenv("LUOHU_ENVIRONMENT", "test")
    monkeypatch.setenv("LUOHU_DATA_DIR", str(tmp_path / "var"))
    return quick_settings(tmp_path / "var", workers=False)


def invoke(*arguments: str) -> Any:
    return CliRunner().invoke(cli, list(arguments))


def housing_pruned(removed: str, day: date) -> list[str]:
    """What `luohu prune housing` says of the test's rows and events: that it `removed` ("would
    remove" on a dry run) two outbox rows, one inbox row, one key and two events before `day`."""
    return [
        f"housing outbox: {removed} 2 (stamped before {day})",
        f"housing inbox: {removed} 1 (stamped before {day})",
        f"housing idempotency_keys: {removed} 1 (stamped before {day})",
        f"event-log hukou.settlement.approved: {removed} 2 (stamped before {day})",
    ]


def test_the_command_prints_per_service_and_table_and_a_dry_run_removes_nothing(
    platform: Settings,
) -> None:
    assert invoke("migrate", "housing").exit_code == 0
    db = Database(platform.database_url_for("housing"))
    bus = EmbeddedBus(platform.event_log_path)
    try:
        with db.unit_of_work() as session:
            for n in (1, 2):
                add_to_outbox(session, TABLES, event(n), key=f"s{n}")
            store_key(session, "k")
            session.execute(
                insert(TABLES.inbox).values(
                    consumer="housing",
                    event_id="e1",
                    event_type=SETTLEMENT_APPROVED,
                    outcome="done",
                    handled_at=clock.now(),
                )
            )
        OutboxRelay(service="housing", db=db, tables=TABLES, bus=bus).run_once()
        with db.unit_of_work() as session:
            add_to_outbox(session, TABLES, event(3), key="s3")  # unsent
        for group in event_log_readers()[topic_of(SETTLEMENT_APPROVED)]:
            member = bus.consumer(group=group, topics=[topic_of(SETTLEMENT_APPROVED)])
            member.commit(member.poll(max_records=10, timeout=1))
            member.close()
    finally:
        bus.close()

    before = {t: rows(db, t) for t in (TABLES.outbox, TABLES.inbox, TABLES.idempotency_keys)}
    assert before == {TABLES.outbox: 3, TABLES.inbox: 1, TABLES.idempotency_keys: 1}
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=True):
        day = first_day_kept(30)
        dry = invoke("prune", "housing", "--dry-run")
        assert dry.exit_code == 0, dry.output
        assert dry.output.splitlines() == [
            *housing_pruned("would remove", day),
            "dry run: nothing was removed",
        ]
        assert {t: rows(db, t) for t in before} == before
        bus = EmbeddedBus(platform.event_log_path)
        assert len(bus.read(topic_of(SETTLEMENT_APPROVED))) == 2
        bus.close()

        done = invoke("prune", "housing")
        assert done.exit_code == 0, done.output
        assert done.output.splitlines() == housing_pruned("removed", day)
    assert {t: rows(db, t) for t in before} == {
        TABLES.outbox: 1,
        TABLES.inbox: 0,
        TABLES.idempotency_keys: 0,
    }
    bus = EmbeddedBus(platform.event_log_path)
    assert bus.read(topic_of(SETTLEMENT_APPROVED)) == []
    bus.close()
    db.dispose()


def test_the_command_names_services_it_has_nothing_for_and_refuses_unknown_ones(
    platform: Settings,
) -> None:
    result = invoke("prune")
    assert result.exit_code == 0, result.output
    assert "housing: no database yet; nothing to prune" in result.output
    unknown = invoke("prune", "treasury")
    assert unknown.exit_code == 2
    assert re.search(r"unknown service 'treasury'", unknown.output)


def test_topics_are_created_with_the_retention_prune_keeps(
    platform: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shared.events.topics as topics

    asked: dict[str, Any] = {}

    def create_topics(servers: str, retention_ms: dict[str, int], **_: Any) -> list[str]:
        asked.update(retention_ms)
        return list(retention_ms)

    monkeypatch.setattr(topics, "create_topics", create_topics)
    monkeypatch.setenv("LUOHU_RETENTION_DAYS", "7")
    assert invoke("topics", "create").exit_code == 0
    assert asked[topic_of(SETTLEMENT_APPROVED)] == 7 * 24 * 3600 * 1000
    assert asked[dead_letter_topic("housing")] == -1, "dead letters stay until replayed"
    monkeypatch.setenv("LUOHU_EVENT_RETENTION_DAYS", "5")
    assert invoke("topics", "create").exit_code == 0
    assert asked[topic_of(SETTLEMENT_APPROVED)] == 5 * 24 * 3600 * 1000
