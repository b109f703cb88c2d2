"""Consumes events exactly once in effect: inbox dedup, bounded retries, dead letters."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shared.db import Database, PlatformTables, utcnow
from shared.events.bus import Bus, Consumer, Message, Record
from shared.events.envelope import CloudEvent, from_record, is_readable_version
from shared.events.outbox import add_message_to_outbox
from shared.observability import metrics
from shared.tracing import consuming

log = logging.getLogger(__name__)

Handler = Callable[[Session, CloudEvent], None]
"""Applies one event's effect inside the consumer's transaction."""

DeadLetterHook = Callable[[Session, CloudEvent, str], None]
"""Runs in the dead-lettering transaction (e.g. to report `processed` with outcome failed)."""

REPLAY_HEADER = "luohu-replay"
ERROR_HEADER = "luohu-error"
ORIGINAL_TOPIC_HEADER = "luohu-original-topic"
CONSUMER_HEADER = "luohu-consumer"


def _unreadable_id(record: Record) -> str:
    """An inbox id for a record with no event id: its place in the log, hashed to fit."""
    place = f"{record.topic}:{record.partition}:{record.offset}"
    return "unreadable:" + hashlib.sha256(place.encode()).hexdigest()[:48]


def dead_letter_topic(consumer: str) -> str:
    return f"deadletter.{consumer}"


@dataclass(frozen=True)
class Subscription:
    """What a service consumes: its group name, topics and the event type → handlers table."""

    group: str
    topics: Sequence[str]
    handlers: Mapping[str, Sequence[Handler]]
    on_dead_letter: DeadLetterHook | None = None


class EventConsumer:
    """One consumer-group member applying a subscription's handlers."""

    def __init__(
        self,
        *,
        subscription: Subscription,
        db: Database,
        tables: PlatformTables,
        bus: Bus,
        max_attempts: int = 5,
        backoff: float = 0.2,
        batch_size: int = 200,
    ) -> None:
        self.subscription = subscription
        self.db = db
        self.tables = tables
        self.bus = bus
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.batch_size = batch_size
        self._consumer: Consumer | None = None

    @property
    def group(self) -> str:
        return self.subscription.group

    def _member(self) -> Consumer:
        if self._consumer is None:
            self._consumer = self.bus.consumer(group=self.group, topics=self.subscription.topics)
        return self._consumer

    def run_once(self, *, timeout: float = 0.5) -> int:
        """Handle one polled batch, then commit its offsets; returns the records seen."""
        member = self._member()
        records = member.poll(max_records=self.batch_size, timeout=timeout)
        for record in records:
            self.handle(record)
        if records:
            member.commit(records)
        try:
            metrics.consumer_lag.labels(self.group).set(member.lag())
        except Exception:  # lag is a metric: never let it stop consumption
            log.debug("could not measure the lag of %s", self.group)
        return len(records)

    def handle(self, record: Record) -> str:
        """Apply one record; returns the outcome: done, duplicate, skipped or dead_letter."""
        try:
            event = from_record(record)
        except Exception as exc:  # not a CloudEvent at all: nothing to retry
            return self._dead_letter(record, None, f"unreadable event: {exc}")
        handlers = self.subscription.handlers.get(event.get_type())
        if not handlers or not is_readable_version(event):
            metrics.events_handled.labels(self.group, "skipped").inc()
            return "skipped"
        with consuming(
            f"handle {event.get_type()}",
            record.headers,
            consumer=self.group,
            event_id=event.get_id(),
            subject=str(event.get_subject()),
        ):
            return self._handle_event(record, event, handlers)

    def _handle_event(self, record: Record, event: CloudEvent, handlers: Sequence[Handler]) -> str:
        replay = REPLAY_HEADER in record.headers
        error = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                outcome = self._apply(event, handlers, replay=replay)
                metrics.events_handled.labels(self.group, outcome).inc()
                return outcome
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "handler failed (attempt %d of %d) for event %s: %s",
                    attempt,
                    self.max_attempts,
                    event.get_id(),
                    error,
                )
                if attempt < self.max_attempts:
                    time.sleep(self.backoff * attempt)
        return self._dead_letter(record, event, error)

    def _apply(self, event: CloudEvent, handlers: Sequence[Handler], *, replay: bool) -> str:
        inbox = self.tables.inbox
        with self.db.unit_of_work() as session:
            seen = session.execute(
                select(inbox.c.outcome).where(
                    inbox.c.consumer == self.group, inbox.c.event_id == event.get_id()
                )
            ).scalar_one_or_none()
            # A dead-lettered event is retried only when an operator replays it.
            if seen == "done" or (seen == "failed" and not replay):
                return "duplicate"
            for handler in handlers:
                handler(session, event)
            if seen is None:
                session.execute(
                    insert(inbox).values(
                        consumer=self.group,
                        event_id=event.get_id(),
                        event_type=event.get_type(),
                        outcome="done",
                        handled_at=utcnow(),
                    )
                )
            else:
                session.execute(
                    update(inbox)
                    .where(inbox.c.consumer == self.group, inbox.c.event_id == event.get_id())
                    .values(outcome="done", handled_at=utcnow())
                )
        return "done"

    def _dead_letter(self, record: Record, event: CloudEvent | None, error: str) -> str:
        headers = dict(record.headers)
        headers[ERROR_HEADER] = error[:2000].encode()
        headers[ORIGINAL_TOPIC_HEADER] = record.topic.encode()
        headers[CONSUMER_HEADER] = self.group.encode()
        headers.pop(REPLAY_HEADER, None)
        message = Message(dead_letter_topic(self.group), record.key, record.value, headers)
        event_id = event.get_id() if event is not None else _unreadable_id(record)
        inbox = self.tables.inbox
        with self.db.unit_of_work() as session:
            seen = session.execute(
                select(inbox.c.outcome).where(
                    inbox.c.consumer == self.group, inbox.c.event_id == event_id
                )
            ).scalar_one_or_none()
            if seen is not None and event is None:
                return "duplicate"  # this unreadable record was dead-lettered already
            if seen is None:
                session.execute(
                    insert(inbox).values(
                        consumer=self.group,
                        event_id=event_id,
                        event_type=event.get_type() if event else "unreadable",
                        outcome="failed",
                        handled_at=utcnow(),
                    )
                )
            add_message_to_outbox(session, self.tables, message, event_id=str(uuid.uuid4()))
            if event is not None and self.subscription.on_dead_letter is not None:
                self.subscription.on_dead_letter(session, event, error)
        log.error("event %s dead-lettered by %s: %s", event_id, self.group, error)
        metrics.events_handled.labels(self.group, "dead_letter").inc()
        metrics.dead_letters.labels(self.group).inc()
        return "dead_letter"

    def run_until(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:  # bus or database away: poll again from committed offsets
                log.exception("consumer %s failed; retrying", self.group)
                self.close()
                stop.wait(1.0)
        self.close()

    def close(self) -> None:
        if self._consumer is not None:
            try:
                self._consumer.close()
            finally:
                self._consumer = None
