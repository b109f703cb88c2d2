"""The transactional outbox: events written with the change that caused them, then relayed."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shared.db import Database, PlatformTables, utcnow
from shared.events.bus import Bus, Message
from shared.events.envelope import CloudEvent, to_message
from shared.events.signing import EventSigner
from shared.observability import metrics
from shared.tracing import trace_headers

log = logging.getLogger(__name__)


def add_to_outbox(session: Session, tables: PlatformTables, event: CloudEvent, *, key: str) -> None:
    """Write `event` in the caller's transaction; the relay publishes it after commit."""
    add_message_to_outbox(session, tables, to_message(event, key=key), event_id=event.get_id())


def add_message_to_outbox(
    session: Session, tables: PlatformTables, message: Message, *, event_id: str
) -> None:
    # The trace travels with the event, so its consumers' spans join the request's trace.
    headers = {**message.headers, **trace_headers()}
    session.execute(
        insert(tables.outbox).values(
            event_id=event_id,
            topic=message.topic,
            key=message.key,
            value=message.value,
            headers={name: value.decode("latin-1") for name, value in headers.items()},
            created_at=utcnow(),
        )
    )


@dataclass(eq=False, kw_only=True)
class OutboxRelay:
    """Publishes unsent outbox rows in id order and marks them sent.

    A crash between publishing and marking publishes the rows again on the next run:
    the bus is at-least-once and every consumer's inbox absorbs the duplicate.
    """

    service: str
    db: Database
    tables: PlatformTables
    bus: Bus
    batch_size: int = 500
    signer: EventSigner | None = None
    """The service's own key: every message goes out signed with it (shared/events/signing.py;
    every service's runtime gives it)."""

    def run_once(self) -> int:
        """Relay one batch; returns how many rows were published."""
        outbox = self.tables.outbox
        with self.db.unit_of_work() as session:
            query = (
                select(outbox.c.id, outbox.c.topic, outbox.c.key, outbox.c.value, outbox.c.headers)
                .where(outbox.c.published_at.is_(None))
                .order_by(outbox.c.id)
                .limit(self.batch_size)
            )
            if not self.db.is_sqlite:
                # Replicas of one service relay side by side without sending a row twice.
                query = query.with_for_update(skip_locked=True)
            rows = session.execute(query).all()
            if not rows:
                return 0
            messages = [
                Message(
                    topic=row.topic,
                    key=row.key,
                    value=row.value,
                    headers={k: v.encode("latin-1") for k, v in row.headers.items()},
                )
                for row in rows
            ]
            signer = self.signer
            self.bus.publish([signer.sign(m) for m in messages] if signer else messages)
            session.execute(
                update(outbox)
                .where(outbox.c.id.in_([row.id for row in rows]))
                .values(published_at=utcnow())
            )
        metrics.outbox_published.labels(self.service).inc(len(rows))
        return len(rows)

    def run_until(self, stop: threading.Event, *, interval: float) -> None:
        while not stop.is_set():
            try:
                sent = self.run_once()
            except Exception:  # the bus or database is away: keep the rows, try again
                log.exception("outbox relay failed; retrying", extra={"service": self.service})
                sent = 0
                stop.wait(min(5.0, interval * 10))
            if sent < self.batch_size:
                stop.wait(interval)
