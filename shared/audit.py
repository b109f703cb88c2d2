"""The append-only audit log every state change and handled event is written to (四(四)).

四(四) "强化审计监督" puts settlement and the supporting policies under audit ("将非户籍人口在
城市落户情况和相关配套政策实施情况纳入审计监督范围", 市审计局牵头): so each service's log is
a hash chain, in which no entry is changed, removed or inserted unseen (`shared.audit_chain`).
Entry `n` (counted from 1, no gap) carries `previous_hash`, the hash of entry `n - 1`
(`GENESIS` before the first), and `hash`, the SHA-256 of its canonical JSON (`canonical_json`):
its sequence, time, actor, action, entity, detail, note and previous hash. The `audit_head`
row is the last sequence and hash. (A chain rewritten whole with its head shows only against a
head published elsewhere: each service publishes it to the coordination office,
`shared.audit_heads`.)

An entry is chained when its transaction commits, so the chain is in commit order (`at` is
when the change was recorded). Appends are serialised, so two transactions never both follow
the same entry: on PostgreSQL by a transaction-scoped advisory lock, on SQLite by the writer's
`BEGIN IMMEDIATE` (`shared.db`); the unique `sequence` refuses a fork even if a writer got past
both. The lock is taken last, once the transaction's own changes are flushed: holding it, a
transaction only appends, so it never waits for a row another one holds while that one waits
for the lock (no deadlock), and the lock is held for the few statements of the append.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, func, insert, select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from shared.db import PlatformTables, utcnow

GENESIS = "0" * 64
"""The `previous_hash` of the first entry: there is none before it."""

AUDIT_LOCK = 0x6175646974
"""The PostgreSQL advisory lock an append holds until its transaction ends ("audit" in ASCII)."""

HEAD_ROW = 1
"""The id of `audit_head`'s one row."""

CHAINED_FIELDS = (
    "sequence",
    "at",
    "actor",
    "action",
    "entity_type",
    "entity_id",
    "detail",
    "note",
    "previous_hash",
)
"""What an entry's hash covers: all it holds but its row id and the hash itself."""


@dataclass(frozen=True)
class ChainHead:
    """The last entry of a service's chain: its sequence (0 before any) and its hash."""

    sequence: int
    hash: str
    at: datetime | None = None


def canonical_json(entry: dict[str, Any]) -> bytes:
    """The bytes an entry's hash is taken over: its `CHAINED_FIELDS` as JSON with sorted keys,
    no spaces, UTF-8, `at` in UTC with microseconds (`2026-12-02T21:30:00.000000+00:00`).

    The audit department can recompute it from what `GET /v1/audit` serves."""
    content = {name: entry[name] for name in CHAINED_FIELDS}
    at = content["at"]
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    content["at"] = at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: dict[str, Any]) -> str:
    """The SHA-256 (hex) of `canonical_json(entry)`."""
    return hashlib.sha256(canonical_json(entry)).hexdigest()


def chain_head(session: Session, tables: PlatformTables) -> ChainHead:
    """The chain's head as its `audit_head` row records it (sequence 0 before any entry)."""
    head = tables.audit_head
    row = session.execute(select(head).where(head.c.id == HEAD_ROW)).mappings().one_or_none()
    if row is None:
        return ChainHead(sequence=0, hash=GENESIS)
    return ChainHead(sequence=row["sequence"], hash=row["hash"], at=row["at"])


def record_audit(
    session: Session,
    tables: PlatformTables,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record an entry in the caller's transaction: it exists exactly when the change does,
    chained after the head when the transaction commits."""
    entry: dict[str, Any] = {
        "at": utcnow(),
        "actor": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        # As the database gives it back (a tuple comes back a list): what is hashed is what
        # a verifier reads.
        "detail": json.loads(json.dumps(detail or {})),
        "note": None,
    }
    session.info.setdefault(_PENDING, []).append((tables, entry))


_PENDING = "luohu.audit.pending"
"""Where a session keeps the entries it recorded, until it commits (or rolls back)."""


@event.listens_for(Session, "before_commit")
def _append_pending(session: Session) -> None:
    pending: list[tuple[PlatformTables, dict[str, Any]]] = session.info.pop(_PENDING, [])
    if not pending:
        return
    session.flush()  # the transaction's own changes, before the lock (see the module's text)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(AUDIT_LOCK)))
    for tables, entry in pending:
        _append(session, tables, entry)


@event.listens_for(Session, "after_soft_rollback")
def _forget_pending(session: Session, _: Any) -> None:
    session.info.pop(_PENDING, None)


def _append(session: Session, tables: PlatformTables, recorded: dict[str, Any]) -> None:
    head = chain_head(session, tables)
    entry = {**recorded, "sequence": head.sequence + 1, "previous_hash": head.hash}
    entry["hash"] = entry_hash(entry)
    session.execute(insert(tables.audit_log).values(**entry))
    _move_head(session, tables, entry, first=head.sequence == 0)


def _move_head(
    session: Session, tables: PlatformTables, entry: dict[str, Any], *, first: bool
) -> None:
    values = {"sequence": entry["sequence"], "hash": entry["hash"], "at": entry["at"]}
    head = tables.audit_head
    if first:
        session.execute(insert(head).values(id=HEAD_ROW, **values))
    else:
        session.execute(update(head).where(head.c.id == HEAD_ROW).values(**values))


def entry_of(row: RowMapping) -> dict[str, Any]:
    """An `audit_log` row as an entry: its chained fields, its hash and its row id."""
    return {name: row[name] for name in (*CHAINED_FIELDS, "hash", "id")}
