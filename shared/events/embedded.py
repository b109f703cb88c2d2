"""The embedded bus engine: a durable event log in one SQLite file, shared by local processes."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared import clock
from shared.db import enable_wal
from shared.events.bus import BusUnavailable, Message, Record
from shared.events.embedded_member import EmbeddedConsumer, LeaseLost

PARTITION = 0  # one partition per topic, so order per topic (hence per key) is total
BUSY_TIMEOUT_SECONDS = 30.0
DEFAULT_LEASE_SECONDS = 10.0
DEFAULT_POLL_INTERVAL_SECONDS = 0.05

# The log is an ordinary rowid table: values can be large, which WITHOUT ROWID handles badly.
_SCHEMA = """
BEGIN IMMEDIATE;
CREATE TABLE IF NOT EXISTS bus_log (
    topic TEXT NOT NULL, log_offset INTEGER NOT NULL, key TEXT, value BLOB NOT NULL,
    headers TEXT NOT NULL, appended_at TEXT NOT NULL, PRIMARY KEY (topic, log_offset));
CREATE TABLE IF NOT EXISTS bus_committed_offset (
    group_id TEXT NOT NULL, topic TEXT NOT NULL, next_offset INTEGER NOT NULL,
    committed_at TEXT NOT NULL, PRIMARY KEY (group_id, topic)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bus_lease (
    group_id TEXT NOT NULL, topic TEXT NOT NULL, member_id TEXT NOT NULL,
    expires_at REAL NOT NULL, PRIMARY KEY (group_id, topic)) WITHOUT ROWID;
COMMIT;
"""


class _ThreadConnection(threading.local):
    # The pid guards against using a connection inherited through fork(), which SQLite forbids.
    pid: int = -1
    conn: sqlite3.Connection | None = None


def _now() -> str:
    return clock.now().isoformat(timespec="microseconds")


def _encode(message: Message) -> tuple[str | None, bytes, str]:
    """Check a message's types and encode its headers; raises TypeError on a bad message."""
    # SQLite's dynamic typing would store a str in the BLOB column, so check here.
    if not isinstance(message.topic, str) or not message.topic:
        raise TypeError(f"message topic must be a non-empty str, got {message.topic!r}")
    if message.key is not None and not isinstance(message.key, str):
        raise TypeError(f"message key must be str or None, got {type(message.key).__name__}")
    if not isinstance(message.value, bytes):
        raise TypeError(f"message value must be bytes, got {type(message.value).__name__}")
    headers: dict[str, str] = {}
    for name, raw in message.headers.items():
        if not isinstance(name, str) or not isinstance(raw, bytes):
            raise TypeError(f"header {name!r} must map a str to bytes")
        headers[name] = base64.b64encode(raw).decode("ascii")
    return message.key, message.value, json.dumps(headers, sort_keys=True)


def _decode_headers(text: str) -> dict[str, bytes]:
    return {name: base64.b64decode(raw) for name, raw in json.loads(text).items()}


class EmbeddedBus:
    """The `Bus` on a SQLite file: safe for several processes, and several threads in each."""

    def __init__(
        self,
        path: Path | str,
        *,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        poll_interval: float = DEFAULT_POLL_INTERVAL_SECONDS,
    ) -> None:
        if lease_seconds <= 0 or poll_interval <= 0:
            raise ValueError("lease_seconds and poll_interval must be positive")
        self.path = Path(path)
        self.lease_seconds = lease_seconds
        self.poll_interval = poll_interval
        self._local = _ThreadConnection()
        self._lock = threading.Lock()
        self._connections: list[tuple[int, sqlite3.Connection]] = []
        self._consumers: weakref.WeakSet[EmbeddedConsumer] = weakref.WeakSet()
        self._schema_ready = False
        self._closed = False

    def publish(self, messages: Sequence[Message]) -> None:
        """Append the batch in one transaction: all of it or, on any error, none of it."""
        if not messages:
            return
        appended_at = _now()
        with self._write() as conn:
            # Offsets are read and assigned under the write lock, so concurrent
            # publishers in other processes queue up and never collide or leave gaps.
            next_offsets: dict[str, int] = {}
            for message in messages:
                key, value, headers = _encode(message)
                offset = next_offsets.get(message.topic)
                if offset is None:
                    offset = self._end_offset(conn, message.topic)
                conn.execute(
                    "INSERT INTO bus_log (topic, log_offset, key, value, headers, appended_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (message.topic, offset, key, value, headers, appended_at),
                )
                next_offsets[message.topic] = offset + 1

    def consumer(self, *, group: str, topics: Sequence[str]) -> EmbeddedConsumer:
        """Join `group` as a new member; it reads a topic only while it holds its lease."""
        if not group or not topics:
            raise ValueError("a consumer needs a group and at least one topic")
        member = EmbeddedConsumer(self, group=group, topics=topics)
        self._consumers.add(member)
        return member

    def ping(self) -> None:
        self._query("SELECT 1 FROM bus_lease LIMIT 1", ())

    def close(self) -> None:
        """Release this handle's leases and close its connections (stop consumer threads first)."""
        if self._closed:
            return
        for member in list(self._consumers):
            member.close()
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        for pid, conn in connections:
            if pid == os.getpid():
                conn.close()

    def read(self, topic: str, *, from_offset: int = 0, limit: int = 1000) -> list[Record]:
        """Read a topic's log from `from_offset`, outside any consumer group."""
        rows = self._query(
            "SELECT log_offset, key, value, headers FROM bus_log"
            " WHERE topic = ? AND log_offset >= ? ORDER BY log_offset LIMIT ?",
            (topic, from_offset, limit),
        )
        return [
            Record(topic, PARTITION, int(offset), key, bytes(value), _decode_headers(headers))
            for offset, key, value, headers in rows
        ]

    def end_offsets(self, topics: Sequence[str]) -> dict[str, int]:
        """The offset the next message of each topic will get (0 for an empty topic)."""
        with self._errors():
            conn = self._conn()
            return {topic: self._end_offset(conn, topic) for topic in topics}

    def committed(self, group: str, topic: str) -> int:
        """The group's committed offset: the next offset it has yet to handle (0 if none)."""
        with self._errors():
            return self._committed(self._conn(), group, topic)

    def committed_offsets(self, group: str, topic: str) -> dict[int, int]:
        with self._errors():
            row = (
                self._conn()
                .execute(
                    "SELECT next_offset FROM bus_committed_offset WHERE group_id = ? AND topic = ?",
                    (group, topic),
                )
                .fetchone()
            )
            return {} if row is None else {PARTITION: int(row[0])}

    def unconsumed(self, group: str, topic: str) -> int:
        with self._errors():
            conn = self._conn()
            return max(0, self._end_offset(conn, topic) - self._committed(conn, group, topic))

    def prune(
        self,
        *,
        appended_before: datetime,
        readers: Mapping[str, Collection[str]],
        dry_run: bool = False,
    ) -> dict[str, int]:
        """Remove the entries appended before `appended_before` that every group reading their
        topic has committed past; per topic, how many were removed (or would be).

        A topic's readers are `readers[topic]` (the groups that must read it, whether or not
        they have started) and every group that has committed on it; a topic nobody reads is
        kept whole, since who will read it is not known. The space is overwritten
        (secure_delete), so what was removed is not left in the file's free pages.
        """
        if appended_before.tzinfo is None:
            raise ValueError("appended_before must be an aware instant")
        # appended_at is ISO text in UTC at microseconds, so the comparison is on text.
        cutoff = appended_before.astimezone(UTC).isoformat(timespec="microseconds")
        removed: dict[str, int] = {}
        with self._write() as conn:
            conn.execute("PRAGMA secure_delete=ON")
            topics = [row[0] for row in conn.execute("SELECT DISTINCT topic FROM bus_log")]
            for topic in topics:
                committed = {
                    str(group): int(next_offset)
                    for group, next_offset in conn.execute(
                        "SELECT group_id, next_offset FROM bus_committed_offset WHERE topic = ?",
                        (topic,),
                    )
                }
                groups = set(committed) | set(readers.get(topic, ()))
                if not groups:
                    removed[topic] = 0
                    continue
                horizon = min(committed.get(group, 0) for group in groups)
                where = "topic = ? AND log_offset < ? AND appended_at < ?"
                params = (topic, horizon, cutoff)
                if dry_run:
                    row = conn.execute(f"SELECT count(*) FROM bus_log WHERE {where}", params)
                    count = int(row.fetchone()[0])
                else:
                    count = conn.execute(f"DELETE FROM bus_log WHERE {where}", params).rowcount
                removed[topic] = count
        return removed

    def _held_elsewhere(self, group: str, member_id: str, topics: Sequence[str]) -> set[str]:
        """The topics whose lease another live member holds (a read: no write lock)."""
        marks = ", ".join("?" for _ in topics)
        rows = self._query(
            "SELECT topic FROM bus_lease WHERE group_id = ? AND member_id != ?"
            f" AND expires_at > ? AND topic IN ({marks})",
            (group, member_id, time.time(), *topics),
        )
        return {str(row[0]) for row in rows}

    def _claim(
        self, group: str, member_id: str, topics: Sequence[str], positions: dict[str, int]
    ) -> dict[str, int]:
        """Renew or take the leases on `topics`; return the positions of the topics now held."""
        now = time.time()
        held: dict[str, int] = {}
        with self._write() as conn:
            for topic in topics:
                row = conn.execute(
                    "SELECT member_id, expires_at FROM bus_lease WHERE group_id = ? AND topic = ?",
                    (group, topic),
                ).fetchone()
                if row is not None and row[0] != member_id and row[1] > now:
                    continue
                conn.execute(
                    "INSERT INTO bus_lease (group_id, topic, member_id, expires_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (group_id, topic) DO UPDATE"
                    " SET member_id = excluded.member_id, expires_at = excluded.expires_at",
                    (group, topic, member_id, now + self.lease_seconds),
                )
                kept = row is not None and row[0] == member_id and topic in positions
                # A member that had the lease all along carries on; one (re)taking it starts
                # from the group's commit, since another member may have moved on meanwhile.
                held[topic] = positions[topic] if kept else self._committed(conn, group, topic)
        return held

    def _commit(self, group: str, member_id: str, next_offsets: dict[str, int]) -> None:
        committed_at = _now()
        with self._write() as conn:
            for topic, next_offset in next_offsets.items():
                row = conn.execute(
                    "SELECT member_id FROM bus_lease WHERE group_id = ? AND topic = ?",
                    (group, topic),
                ).fetchone()
                # The lease row still naming this member means nobody took over, even if it
                # has expired: taking over rewrites the row under the same write lock.
                if row is None or row[0] != member_id:
                    raise LeaseLost(f"member {member_id} of {group!r} lost the lease on {topic!r}")
                conn.execute(
                    "INSERT INTO bus_committed_offset (group_id, topic, next_offset, committed_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT (group_id, topic) DO UPDATE"
                    " SET next_offset = max(next_offset, excluded.next_offset),"
                    " committed_at = excluded.committed_at",
                    (group, topic, next_offset, committed_at),
                )

    def _release(self, group: str, member_id: str) -> None:
        sql = "DELETE FROM bus_lease WHERE group_id = ? AND member_id = ?"
        with self._write() as conn:
            conn.execute(sql, (group, member_id))

    @staticmethod
    def _end_offset(conn: sqlite3.Connection, topic: str) -> int:
        # Past the last entry, or past every commit: once `prune` has removed a topic's every
        # entry, its offsets carry on from where the groups are, never from 0 again.
        row = conn.execute(
            "SELECT max(coalesce((SELECT max(log_offset) + 1 FROM bus_log WHERE topic = ?), 0),"
            " coalesce((SELECT max(next_offset) FROM bus_committed_offset WHERE topic = ?), 0))",
            (topic, topic),
        ).fetchone()
        return int(row[0])

    @staticmethod
    def _committed(conn: sqlite3.Connection, group: str, topic: str) -> int:
        row = conn.execute(
            "SELECT next_offset FROM bus_committed_offset WHERE group_id = ? AND topic = ?",
            (group, topic),
        ).fetchone()
        return 0 if row is None else int(row[0])

    def _conn(self) -> sqlite3.Connection:
        """This thread's connection, opened (and the file set up) on first use."""
        if self._closed:
            raise RuntimeError(f"the event log handle on {self.path} is closed")
        local = self._local
        if local.conn is not None and local.pid == os.getpid():
            return local.conn
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: transactions are only the ones begun explicitly below.
        # check_same_thread=False only so close() may close every thread's connection.
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
        try:
            # WAL lets readers (polling consumers) run while a publisher writes.
            enable_wal(conn, timeout=BUSY_TIMEOUT_SECONDS)
            # FULL, not NORMAL: the outbox relay marks rows sent once publish returns, so a
            # publish must survive power loss as well as a process crash, or the event is gone.
            conn.execute("PRAGMA synchronous=FULL")
            with self._lock:
                if not self._schema_ready:
                    conn.executescript(_SCHEMA)
                    self._schema_ready = True
                self._connections.append((os.getpid(), conn))
        except BaseException:
            conn.close()
            raise
        local.pid, local.conn = os.getpid(), conn
        return conn

    def _query(self, sql: str, params: Sequence[object]) -> list[Any]:
        """A read in its own implicit transaction: it never takes the write lock."""
        with self._errors():
            return self._conn().execute(sql, params).fetchall()

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn 'the file cannot be used' errors into BusUnavailable; bugs stay bugs."""
        try:
            yield
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise
        except (sqlite3.DatabaseError, OSError) as exc:
            raise BusUnavailable(f"event log {self.path}: {exc}") from exc

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; BEGIN IMMEDIATE takes the write lock before the first read,
        so read-then-write steps (next offset, lease check) cannot race another process."""
        with self._errors():
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
