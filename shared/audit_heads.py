"""Every service publishes the head of its audit chain to the coordination office (四(四)).

A chain rewritten whole, every hash recomputed and the `audit_head` row with it, verifies as
intact from the service's own database (`shared.audit_chain`): only a head kept elsewhere shows
it. So each service, from the process that runs its relay, puts `{service, sequence, hash, at}`
in its outbox as `<service>.audit.head` every `audit_head_interval_seconds`, when the head moved
since the last one it published. The office keeps every head it receives, counted for the
service whose key signed it (the consumer checks the signer against the registry), and
`luohu audit verify` compares the chain with them (`published_break`).

Publishing appends nothing to the audit chain (the outbox is not audited): a head that audited
its own publishing would move the head each time and never stop being new.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.audit import ChainHead, chain_head
from shared.audit_chain import Break
from shared.db import Database, PlatformTables
from shared.events.envelope import new_event, topic_of
from shared.events.outbox import add_to_outbox
from shared.registry import audit_head_type

log = logging.getLogger(__name__)


class AuditHead(BaseModel):
    """`<service>.audit.head`'s data: the chain's last entry when it was published."""

    service: str = Field(min_length=1, max_length=40)
    sequence: int = Field(ge=1)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    at: AwareDatetime


@dataclass(frozen=True)
class PublishedHead:
    """A head as the coordination office holds it: which entry, its hash, and when the service
    published it (the event's time)."""

    sequence: int
    hash: str
    published_at: datetime


def last_published(session: Session, tables: PlatformTables, service: str) -> AuditHead | None:
    """The head this service last put in its outbox (None before the first, or once `luohu
    prune` removed it: the head is then published once more, which the office bears)."""
    outbox = tables.outbox
    value = session.execute(
        select(outbox.c.value)
        .where(outbox.c.topic == topic_of(audit_head_type(service)))
        .order_by(outbox.c.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if value is None:
        return None
    return AuditHead.model_validate(json.loads(value)["data"])


def publish_head(db: Database, tables: PlatformTables, service: str) -> AuditHead | None:
    """Put the chain's head in the outbox when it moved since the last one published; the
    head published, or None when there was nothing new (or no entry yet)."""
    with db.unit_of_work() as session:
        head = chain_head(session, tables)
        if head.sequence == 0:
            return None
        last = last_published(session, tables, service)
        if last is not None and (last.sequence, last.hash) == (head.sequence, head.hash):
            return None
        published = _head_of(service, head)
        event = new_event(
            type_=audit_head_type(service),
            source=f"/luohu/{service}",
            subject=service,
            data=published.model_dump(mode="json"),
        )
        # Keyed by the service: its heads stay in order on one partition.
        add_to_outbox(session, tables, event, key=service)
    return published


def publish_heads_until(
    stop: threading.Event, db: Database, tables: PlatformTables, service: str, *, interval: float
) -> None:
    """At start, then every `interval` seconds until `stop`: publish the head if it moved."""
    while not stop.is_set():
        try:
            published = publish_head(db, tables, service)
            if published is not None:
                log.info("audit head %d published", published.sequence)
        except Exception:  # the database is away: try again at the next interval
            log.exception("could not publish the audit head", extra={"service": service})
        stop.wait(interval)


def published_break(
    hashes: Mapping[int, Sequence[str]], heads: Iterable[PublishedHead]
) -> Break | None:
    """The first head published to the office (by sequence) that the chain no longer holds:
    `hashes` gives the hash of each entry of the chain by its sequence."""
    for head in sorted(heads, key=lambda h: (h.sequence, _instant(h.published_at))):
        found = hashes.get(head.sequence)
        published = f"published to the coordination office at {_instant(head.published_at)}"
        if not found:
            return Break(head.sequence, "removed", f"the office holds its head, {published}")
        if head.hash not in found:
            return Break(head.sequence, "changed", f"its hash is not the one {published}")
    return None


def hashes_at(
    session: Session, tables: PlatformTables, sequences: Iterable[int]
) -> dict[int, list[str]]:
    """The hash of each entry of the chain numbered one of `sequences` (two, when one was
    inserted beside it)."""
    log_ = tables.audit_log
    wanted = sorted(set(sequences))
    found: dict[int, list[str]] = {}
    for start in range(0, len(wanted), 500):  # a bounded IN list
        rows = session.execute(
            select(log_.c.sequence, log_.c.hash).where(
                log_.c.sequence.in_(wanted[start : start + 500])
            )
        )
        for sequence, hash_ in rows:
            found.setdefault(sequence, []).append(hash_)
    return found


def _head_of(service: str, head: ChainHead) -> AuditHead:
    assert head.at is not None  # a head past sequence 0 has its entry's time
    at = head.at if head.at.tzinfo else head.at.replace(tzinfo=UTC)
    return AuditHead(service=service, sequence=head.sequence, hash=head.hash, at=at)


def _instant(at: datetime) -> str:
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="seconds")
