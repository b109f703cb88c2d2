"""Retention: what `luohu prune` removes from a service's database and from the embedded log.

Events carry whole households (names, identity numbers, incomes), and the tables that make
delivery exactly-once in effect would keep them for ever. Past its retention (days in
Shaoguan's calendar, `LUOHU_RETENTION_DAYS` and its per-kind overrides) this removes:

- outbox rows that were published (`published_at` set); an unsent row is never removed;
- inbox entries, except a `failed` one while its consumer has a dead letter waiting for
  replay (on the bus, or still unsent in the outbox): it is what makes a redelivery of the
  failed event a no-op until an operator replays it, so it stays as long as a replay may come;
- `Idempotency-Key` answers: a key answers its first answer again for at least this long;
- entries of the embedded event log that every group reading their topic has committed past
  (the groups the registry says read it, whether or not they have started, and any other that
  has committed on it): never an event a group has yet to handle. On Kafka the topics'
  `retention.ms` (`luohu topics create`, from the same setting) does this instead.

The audit log is never removed: the audit department needs it (its retention is the archive
rules', not this module's).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, CursorResult, Table, and_, delete, func, not_, select, text
from sqlalchemy.orm import Session

from shared import clock
from shared.db import Database, PlatformTables
from shared.events.bus import BusUnavailable
from shared.events.consumer import dead_letter_topic
from shared.events.deadletters import replayer_group
from shared.events.embedded import EmbeddedBus
from shared.events.envelope import topic_of
from shared.registry import SERVICES
from shared.settings import Settings

log = logging.getLogger(__name__)

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class RetentionPolicy:
    """How many days (in Shaoguan's calendar) each kind of row is kept."""

    outbox_days: int
    inbox_days: int
    idempotency_days: int
    event_days: int

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        days = settings.retention_days
        return cls(
            outbox_days=settings.outbox_retention_days or days,
            inbox_days=settings.inbox_retention_days or days,
            idempotency_days=settings.idempotency_retention_days or days,
            event_days=settings.event_retention_days or days,
        )

    @property
    def event_retention_ms(self) -> int:
        """The Kafka topics' `retention.ms`: the event log's days (Kafka counts from each
        record's time, not from a calendar day)."""
        return self.event_days * DAY_MS


def first_day_kept(days: int, today: date | None = None) -> date:
    """The earliest Shaoguan date whose rows are kept: `days` before today. What was stamped
    before that day begins is removed, so a row is kept `days` full days and the day it came."""
    return (today or clock.today()) - timedelta(days=days)


@dataclass(frozen=True)
class Pruned:
    """What one run removed (or would remove) from one table of one source."""

    source: str
    """The service, or `event-log`."""
    table: str
    rows: int
    before: date
    """Rows stamped before this Shaoguan date were eligible."""
    kept: str = ""
    """What was kept on purpose although it was old enough, if anything."""


@dataclass
class PruneReport:
    """A whole run: each table's count, the services with nothing to prune, and what could
    not be judged (kept, and the run fails so that someone looks)."""

    dry_run: bool
    pruned: list[Pruned] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        verb = "would remove" if self.dry_run else "removed"
        shown = []
        for p in self.pruned:
            line = f"{p.source} {p.table}: {verb} {p.rows} (stamped before {p.before})"
            shown.append(f"{line}; kept {p.kept}" if p.kept else line)
        shown.extend(self.skipped)
        if self.dry_run:
            shown.append("dry run: nothing was removed")
        return shown


WaitingDeadLetters = Callable[[str], int]
"""How many dead letters of a consumer group wait for replay; raises BusUnavailable."""


def prune_service(
    service: str,
    db: Database,
    tables: PlatformTables,
    policy: RetentionPolicy,
    *,
    waiting: WaitingDeadLetters,
    dry_run: bool = False,
    today: date | None = None,
) -> tuple[list[Pruned], list[str]]:
    """Prune one service's outbox, inbox and idempotency keys; the counts, and the problems
    that made it keep what it could not judge."""
    outbox, inbox, keys = tables.outbox, tables.inbox, tables.idempotency_keys
    outbox_day = first_day_kept(policy.outbox_days, today)
    inbox_day = first_day_kept(policy.inbox_days, today)
    keys_day = first_day_kept(policy.idempotency_days, today)
    inbox_old = inbox.c.handled_at < clock.day_start(inbox_day)

    # Which consumers' old failed entries may wait for a replay: asked of the bus before the
    # transaction, so no database lock is held while the bus answers.
    with db.read_only() as session:
        consumers = session.scalars(
            select(inbox.c.consumer).where(inbox.c.outcome == "failed", inbox_old).distinct()
        ).all()
    problems: list[str] = []
    awaiting: set[str] = set()
    for consumer in consumers:
        try:
            if waiting(consumer):
                awaiting.add(consumer)
        except BusUnavailable as exc:
            awaiting.add(consumer)
            problems.append(f"{service}: dead letters of {consumer} not counted ({exc})")

    with db.unit_of_work() as session:
        if db.is_sqlite:
            _overwrite_deleted(session)
        # A dead letter still in the outbox is one waiting too (the relay has yet to send it).
        unsent_letters = session.scalars(
            select(outbox.c.topic).where(
                outbox.c.published_at.is_(None),
                outbox.c.topic.in_([dead_letter_topic(c) for c in consumers]),
            )
        ).all()
        awaiting |= {c for c in consumers if dead_letter_topic(c) in set(unsent_letters)}
        failed_kept = and_(inbox.c.outcome == "failed", inbox.c.consumer.in_(sorted(awaiting)))
        kept = ""
        if awaiting:
            held = _count(session, inbox, and_(inbox_old, failed_kept))
            kept = f"{held} failed, dead letters of {', '.join(sorted(awaiting))} not replayed"
        sent_old = and_(
            outbox.c.published_at.is_not(None),
            outbox.c.published_at < clock.day_start(outbox_day),
        )
        keys_old = keys.c.created_at < clock.day_start(keys_day)
        counts = [
            Pruned(service, "outbox", _remove(session, outbox, sent_old, dry_run), outbox_day),
            Pruned(
                service,
                "inbox",
                _remove(session, inbox, and_(inbox_old, not_(failed_kept)), dry_run),
                inbox_day,
                kept,
            ),
            Pruned(
                service, "idempotency_keys", _remove(session, keys, keys_old, dry_run), keys_day
            ),
        ]
    return counts, problems


def event_log_readers() -> dict[str, set[str]]:
    """The groups that must read each topic, from the registry: every service consuming a
    type of it, and each dead-letter topic's replayer."""
    readers: dict[str, set[str]] = {}
    for service in SERVICES:
        for type_ in service.consumes:
            readers.setdefault(topic_of(type_), set()).add(service.name)
        readers.setdefault(dead_letter_topic(service.name), set()).add(replayer_group(service.name))
    return readers


def prune_event_log(
    bus: EmbeddedBus,
    policy: RetentionPolicy,
    *,
    readers: Mapping[str, set[str]] | None = None,
    dry_run: bool = False,
    today: date | None = None,
) -> list[Pruned]:
    """Prune the embedded log: per topic, the entries older than the events' retention that
    every reader has committed past."""
    day = first_day_kept(policy.event_days, today)
    removed = bus.prune(
        appended_before=clock.day_start(day),
        readers=event_log_readers() if readers is None else readers,
        dry_run=dry_run,
    )
    if not removed:
        return [Pruned("event-log", "bus_log", 0, day)]
    return [Pruned("event-log", topic, rows, day) for topic, rows in sorted(removed.items())]


def _count(session: Session, table: Table, where: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(table).where(where)) or 0)


def _remove(session: Session, table: Table, where: ColumnElement[bool], dry_run: bool) -> int:
    if dry_run:
        return _count(session, table, where)
    result: CursorResult[Any] = session.execute(delete(table).where(where))  # type: ignore[assignment]
    return int(result.rowcount)


def _overwrite_deleted(session: Session) -> None:
    """SQLite leaves deleted rows in free pages unless told to overwrite them."""
    session.execute(text("PRAGMA secure_delete=ON"))


def prune(settings: Settings, services: list[str], *, dry_run: bool = False) -> PruneReport:
    """`luohu prune`: each service's database, then the embedded log (on Kafka the topics'
    retention.ms removes events, so there is no log to prune here)."""
    import importlib

    from sqlalchemy import inspect
    from sqlalchemy.engine.url import make_url

    from shared.events.deadletters import waiting_dead_letters
    from shared.events.engines import open_bus

    policy = RetentionPolicy.from_settings(settings)
    report = PruneReport(dry_run)
    # No embedded log yet: nothing was ever published, so no dead letter waits.
    bus = None
    if settings.bus == "kafka" or settings.event_log_path.exists():
        bus = open_bus(settings)
    try:
        for service in services:
            url = settings.database_url_for(service)
            parsed = make_url(url)
            if parsed.get_backend_name() == "sqlite" and not (
                parsed.database and Path(parsed.database).exists()
            ):
                report.skipped.append(f"{service}: no database yet; nothing to prune")
                continue
            tables = importlib.import_module(f"services.{service}.app").SPEC.tables
            db = Database(url)
            try:
                if not inspect(db.engine).has_table(tables.outbox.name):
                    report.skipped.append(f"{service}: database not migrated; nothing to prune")
                    continue
                pruned, problems = prune_service(
                    service,
                    db,
                    tables,
                    policy,
                    waiting=(lambda c: waiting_dead_letters(bus, c)) if bus else (lambda c: 0),
                    dry_run=dry_run,
                )
                report.pruned.extend(pruned)
                report.problems.extend(problems)
            finally:
                db.dispose()
        if isinstance(bus, EmbeddedBus):
            report.pruned.extend(prune_event_log(bus, policy, dry_run=dry_run))
        elif settings.bus == "kafka":
            report.skipped.append(
                f"event log: on Kafka, each topic's retention.ms ({policy.event_days} days, set"
                " by `luohu topics create`) removes events; dead letters stay until replayed"
            )
    finally:
        if bus is not None:
            bus.close()
    return report
