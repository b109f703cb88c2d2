"""SQLAlchemy engines, the unit of work, and the tables every service database holds."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine.url import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from shared import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current instant (UTC) a record is stamped with: the platform's one clock."""
    return clock.now()


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every engine (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a timezone")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


@dataclass(frozen=True)
class PlatformTables:
    """The tables the shared library keeps in each service's own database."""

    outbox: Table
    inbox: Table
    idempotency_keys: Table
    audit_log: Table
    audit_head: Table

    @property
    def metadata(self) -> MetaData:
        """The service's whole metadata: its own tables were declared on it beside these."""
        return self.outbox.metadata


def platform_tables(metadata: MetaData) -> PlatformTables:
    """Declare the outbox, inbox, idempotency and audit tables on a service's metadata.

    The audit log is a hash chain (四(四), `shared.audit`): each entry's `sequence` follows the
    one before without a gap, and its `hash` covers its content and `previous_hash`. The one
    row of `audit_head` is the chain's last sequence and hash, moved in the same transaction.
    """
    outbox = Table(
        "outbox",
        metadata,
        # BigInteger on PostgreSQL, INTEGER (the rowid) on SQLite, so ids autoincrement on both.
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=True),
        Column("value", LargeBinary, nullable=False),
        Column("headers", JSON, nullable=False),
        Column("created_at", UTCDateTime, nullable=False, default=utcnow),
        Column("published_at", UTCDateTime, nullable=True, index=True),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("event_id", String(64), primary_key=True),
        Column("event_type", String(200), nullable=False),
        Column("outcome", String(20), nullable=False),
        Column("handled_at", UTCDateTime, nullable=False, default=utcnow),
    )
    idempotency_keys = Table(
        "idempotency_keys",
        metadata,
        Column("dept", String(50), primary_key=True),
        Column("key", String(200), primary_key=True),
        Column("route", String(200), nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=False),
        Column("response", JSON, nullable=False),
        Column("created_at", UTCDateTime, nullable=False, default=utcnow),
    )
    audit_log = Table(
        "audit_log",
        metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
        # Indexed for the audit route's filters (`shared.audit_routes`).
        Column("at", UTCDateTime, nullable=False, default=utcnow, index=True),
        Column("actor", String(100), nullable=False),
        Column("action", String(100), nullable=False),
        Column("entity_type", String(100), nullable=False),
        Column("entity_id", String(100), nullable=False, index=True),
        Column("detail", JSON, nullable=False),
        Column("note", Text, nullable=True),
        Column("sequence", BigInteger, nullable=False, unique=True),
        Column("previous_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
    )
    audit_head = Table(
        "audit_head",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("sequence", BigInteger, nullable=False),
        Column("hash", String(64), nullable=False),
        Column("at", UTCDateTime, nullable=False),
    )
    return PlatformTables(outbox, inbox, idempotency_keys, audit_log, audit_head)


def enable_wal(dbapi_connection: Any, *, timeout: float = 30.0) -> None:
    """Put a SQLite file in WAL mode (readers beside a writer).

    Switching a fresh file to WAL needs a moment's exclusive lock, and SQLite answers
    "database is locked" at once, without its busy handler, to a connection switching while
    another holds the file: so several processes or threads opening a new file retry here.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            mode = dbapi_connection.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                dbapi_connection.execute("PRAGMA journal_mode=WAL").fetchone()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _configure_sqlite(engine: Engine, *, writer: bool) -> None:
    # pysqlite's own BEGIN is deferred: two writers that both read first then deadlock
    # on the lock upgrade and one fails at once, ignoring the busy timeout. Taking the
    # write lock at BEGIN (IMMEDIATE) makes writers queue instead.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=30000")
        enable_wal(dbapi_connection)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")


def make_engine(url: str, *, writer: bool = True) -> Engine:
    # hide_parameters: a failing statement's error (logged, recorded on a span) would otherwise
    # quote the values it carried: names and identity numbers.
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True
        )
        _configure_sqlite(engine, writer=writer)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True
    )


class Database:
    """A service's database: its engine and the unit of work every change goes through."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # On SQLite, readers need no write lock (WAL lets them read beside a writer). On
        # PostgreSQL a read is one snapshot: an answer read in several queries (a row, then its
        # collections) is never torn by a commit landing between them.
        self._read_engine = (
            make_engine(url, writer=False)
            if self.is_sqlite
            else self.engine.execution_options(isolation_level="REPEATABLE READ")
        )
        self._read_sessions = sessionmaker(self._read_engine, expire_on_commit=False)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: committed when the block ends normally, rolled back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read_only(self) -> Iterator[Session]:
        """A session for reads; anything written in it is rolled back."""
        session = self._read_sessions()
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()
        self._read_engine.dispose()


def columns_of(row: object) -> dict[str, Any]:
    """A mapped row's columns by name: what an answer shows of a record as stored, beside what
    it computes (a status today, names, related rows)."""
    return {column.key: getattr(row, column.key) for column in inspect(row).mapper.column_attrs}
