"""Consumes events exactly once in effect: inbox dedup, bounded retries, dead letters."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from opentelemetry.trace import Span
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shared.db import Database, PlatformTables, utcnow
from shared.events.bus import Bus, Consumer, Message, Record
from shared.events.envelope import CloudEvent, from_record, is_readable_version, topic_of
from shared.events.outbox import add_message_to_outbox
from shared.events.signing import EventRejected, EventVerifier
from shared.identity import mask_identity_numbers
from shared.observability import metrics
from shared.privacy import failure_text
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
DEAD_LETTERED_AT_HEADER = "luohu-dead-lettered-at"
"""When the consumer gave up on the record (ISO, UTC): how long it has waited (四(三))."""


class _RecordFailed(Exception):
    """Inside a batch, the record at `index` failed after `attempts_used` attempts."""

    def __init__(self, index: int, *, attempts_used: int, error: str = "") -> None:
        super().__init__(index)
        self.index = index
        self.attempts_used = attempts_used
        self.error = error


def _unreadable_id(record: Record) -> str:
    """An inbox id for a record with no event id: its place in the log, hashed to fit."""
    place = f"{record.topic}:{record.partition}:{record.offset}"
    return "unreadable:" + hashlib.sha256(place.encode()).hexdigest()[:48]


def dead_letter_topic(consumer: str) -> str:
    return f"deadletter.{consumer}"


def rebuild_group(consumer: str) -> str:
    """The group a consumer reads its topics from the start with when its view is rebuilt: it
    never commits, so every rebuild starts at the beginning (its Kafka ACLs name it)."""
    return f"rebuild.{consumer}"


@dataclass(frozen=True)
class Subscription:
    """What a service consumes: its group name and the event type → handlers table; the topics
    it reads are those of the types in the table, so the two cannot drift apart."""

    group: str
    handlers: Mapping[str, Sequence[Handler]]
    on_dead_letter: DeadLetterHook | None = None

    @property
    def topics(self) -> list[str]:
        return list(dict.fromkeys(topic_of(type_) for type_ in self.handlers))


@dataclass(eq=False, kw_only=True)
class EventConsumer:
    """One consumer-group member applying a subscription's handlers."""

    subscription: Subscription
    db: Database
    tables: PlatformTables
    bus: Bus
    max_attempts: int = 5
    backoff: float = 0.2
    batch_size: int = 200
    verifier: EventVerifier | None = None
    """The trust bundle every event's signature is checked against before a handler runs
    (every service's runtime gives it; only the bus's own contract tests go without)."""
    _consumer: Consumer | None = field(default=None, init=False, repr=False)

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
        if records:
            self.handle_batch(records)
            member.commit(records)
        try:
            metrics.consumer_lag.labels(self.group).set(member.lag())
        except Exception:  # lag is a metric: never let it stop consumption
            log.debug("could not measure the lag of %s", self.group)
        return len(records)

    def handle_batch(self, records: Sequence[Record]) -> list[str]:
        """Apply a polled batch in one transaction: one commit for many events.

        When a record fails inside it, nothing of the batch stays: the records before the
        failing one go again as a batch, the failing one goes on alone (the batch was its
        first attempt), and the rest follow as a batch.
        """
        if len(records) == 1:
            return [self.handle(records[0])]
        try:
            return self._apply_batch(records)
        except _RecordFailed as failed:
            before, failing, after = (
                records[: failed.index],
                records[failed.index],
                records[failed.index + 1 :],
            )
            outcomes = self.handle_batch(before) if before else []
            outcomes.append(
                self.handle(failing, attempts_used=failed.attempts_used, error=failed.error)
            )
            return outcomes + (self.handle_batch(after) if after else [])

    def _apply_batch(self, records: Sequence[Record]) -> list[str]:
        events: list[CloudEvent] = []
        for index, record in enumerate(records):
            try:
                events.append(from_record(record))
            except Exception as exc:
                raise _RecordFailed(index, attempts_used=0) from exc
        inbox = self.tables.inbox
        outcomes: list[str] = []
        with self.db.unit_of_work() as session:
            seen: dict[str, str] = {
                row.event_id: row.outcome
                for row in session.execute(
                    select(inbox.c.event_id, inbox.c.outcome).where(
                        inbox.c.consumer == self.group,
                        inbox.c.event_id.in_({event.get_id() for event in events}),
                    )
                )
            }
            for index, (record, event) in enumerate(zip(records, events, strict=True)):
                handlers = self.subscription.handlers.get(event.get_type())
                if not handlers or not is_readable_version(event):
                    outcomes.append("skipped")
                    continue
                if self._rejection(record, event) is not None:
                    raise _RecordFailed(index, attempts_used=0)  # dead-lettered on its own
                prior = seen.get(event.get_id())
                if prior == "done" or (prior == "failed" and REPLAY_HEADER not in record.headers):
                    outcomes.append("duplicate")
                    continue
                try:
                    with self._span(record, event):
                        for handler in handlers:
                            handler(session, event)
                except Exception as exc:
                    error = failure_text(exc)
                    log.info("event %s failed in a batch: %s", event.get_id(), error)
                    raise _RecordFailed(index, attempts_used=1, error=error) from exc
                self._record_done(session, event, prior)
                seen[event.get_id()] = "done"
                outcomes.append("done")
        for outcome in outcomes:
            metrics.events_handled.labels(self.group, outcome).inc()
        return outcomes

    def _record_done(self, session: Session, event: CloudEvent, prior: str | None) -> None:
        inbox = self.tables.inbox
        if prior is None:
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

    def handle(self, record: Record, *, attempts_used: int = 0, error: str = "") -> str:
        """Apply one record; returns the outcome: done, duplicate, skipped or dead_letter."""
        try:
            event = from_record(record)
        except Exception as exc:  # not a CloudEvent at all: nothing to retry
            return self._dead_letter(record, None, f"unreadable event: {failure_text(exc)}")
        handlers = self.subscription.handlers.get(event.get_type())
        if not handlers or not is_readable_version(event):
            metrics.events_handled.labels(self.group, "skipped").inc()
            return "skipped"
        rejection = self._rejection(record, event)
        if rejection is not None:
            metrics.events_rejected.labels(self.group).inc()
            return self._dead_letter(record, None, f"rejected: {rejection}", kind="rejected")
        with self._span(record, event):
            return self._handle_event(record, event, handlers, attempts_used, error)

    def _rejection(self, record: Record, event: CloudEvent) -> str | None:
        """Why the event may not be applied (its signature proves no producer of its type), or
        None. A rejected event is dead-lettered as one nobody vouches for: under its place in
        the log, not its claimed id (a forgery must not shadow the real event), and with no
        report made on its data."""
        if self.verifier is None:
            return None
        try:
            self.verifier.check(record, event.get_type())
        except EventRejected as exc:
            return str(exc)
        return None

    def _span(self, record: Record, event: CloudEvent) -> AbstractContextManager[Span]:
        """The handling span, joined to the trace the event was published in."""
        return consuming(
            f"handle {event.get_type()}",
            record.headers,
            consumer=self.group,
            event_id=event.get_id(),
            subject=str(event.get_subject()),
        )

    def _handle_event(
        self,
        record: Record,
        event: CloudEvent,
        handlers: Sequence[Handler],
        attempts_used: int,
        error: str,
    ) -> str:
        replay = REPLAY_HEADER in record.headers
        if attempts_used:
            time.sleep(self.backoff * attempts_used)
        for attempt in range(attempts_used + 1, self.max_attempts + 1):
            try:
                outcome = self._apply(event, handlers, replay=replay)
                metrics.events_handled.labels(self.group, outcome).inc()
                return outcome
            except Exception as exc:
                error = failure_text(exc)
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
            self._record_done(session, event, seen)
        return "done"

    def _dead_letter(
        self, record: Record, event: CloudEvent | None, error: str, *, kind: str = "unreadable"
    ) -> str:
        # Masked here too, whatever built the text: the header is read by operators and tools.
        error = mask_identity_numbers(error)[:2000]
        headers = dict(record.headers)
        headers[ERROR_HEADER] = error.encode()
        headers[ORIGINAL_TOPIC_HEADER] = record.topic.encode()
        headers[CONSUMER_HEADER] = self.group.encode()
        headers[DEAD_LETTERED_AT_HEADER] = utcnow().isoformat(timespec="seconds").encode()
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
                return "duplicate"  # this record was dead-lettered already
            if seen is None:
                session.execute(
                    insert(inbox).values(
                        consumer=self.group,
                        event_id=event_id,
                        event_type=event.get_type() if event else kind,
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

    def read_from_start(
        self, *, idle_polls: int = 3, timeout: float = 1.0, first_within: float = 30.0
    ) -> int:
        """Apply every record of the subscription's topics from the start of the log, through
        this consumer's inbox, as a member of `rebuild_group` that never commits. Done once
        `idle_polls` polls in a row find nothing after the first record, or when no record
        came within `first_within` seconds (an empty log: joining a Kafka group takes a few
        seconds of empty polls). Returns the records read."""
        member = self.bus.consumer(group=rebuild_group(self.group), topics=self.subscription.topics)
        read, idle = 0, 0
        first_deadline = time.monotonic() + first_within
        try:
            while True:
                records = member.poll(max_records=self.batch_size, timeout=timeout)
                if records:
                    self.handle_batch(records)
                    read, idle = read + len(records), 0
                    continue
                idle += 1
                waited_enough = read > 0 or time.monotonic() >= first_deadline
                if idle >= idle_polls and waited_enough:
                    return read
        finally:
            member.close()

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
