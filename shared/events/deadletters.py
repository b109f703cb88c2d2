"""Dead letters: list them, and replay them to their topic once the cause is fixed."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from shared.events.bus import Bus, Message, Record
from shared.events.consumer import (
    CONSUMER_HEADER,
    DEAD_LETTERED_AT_HEADER,
    ERROR_HEADER,
    ORIGINAL_TOPIC_HEADER,
    REPLAY_HEADER,
    dead_letter_topic,
)


@dataclass(frozen=True)
class DeadLetter:
    record: Record
    original_topic: str
    error: str
    at: datetime | None = None
    """When it was dead-lettered; None for a record dead-lettered before the time was kept."""


@dataclass(frozen=True)
class Backlog:
    """A consumer's dead letters not yet replayed: how many, and when the oldest of them read
    was dead-lettered (None: none waits, or none read carries the time)."""

    waiting: int | None
    oldest_at: datetime | None


def replayer_group(consumer: str) -> str:
    """The group that reads a consumer's dead letters: what it has committed was replayed
    (its Kafka ACLs name it)."""
    return f"deadletter-replayer.{consumer}"


def incidents_group(reader: str, consumer: str) -> str:
    """The group `reader` reads `consumer`'s dead letters with to see their age: it never
    commits, and it is not the replayer's, whose members a join would rebalance (its Kafka
    ACLs name it)."""
    return f"incidents.{reader}.{consumer}"


def _as_dead_letter(record: Record) -> DeadLetter:
    return DeadLetter(
        record=record,
        original_topic=record.headers.get(ORIGINAL_TOPIC_HEADER, b"").decode(),
        error=record.headers.get(ERROR_HEADER, b"").decode(errors="replace"),
        at=_instant(record.headers.get(DEAD_LETTERED_AT_HEADER)),
    )


def _instant(header: bytes | None) -> datetime | None:
    try:
        at = datetime.fromisoformat(header.decode()) if header else None
    except ValueError:  # not written by this platform's consumer: no age, not an error
        return None
    return at if at is None or at.tzinfo else None


def pending_dead_letters(bus: Bus, consumer: str, *, timeout: float = 1.0) -> list[DeadLetter]:
    """The dead letters of `consumer` not yet replayed (read without committing)."""
    member = bus.consumer(group=replayer_group(consumer), topics=[dead_letter_topic(consumer)])
    try:
        letters: list[DeadLetter] = []
        while batch := member.poll(max_records=500, timeout=timeout):
            letters.extend(_as_dead_letter(record) for record in batch)
        return letters
    finally:
        member.close()


def waiting_dead_letters(bus: Bus, consumer: str) -> int:
    """How many dead letters of `consumer` have not been replayed yet (a count from the
    offsets: nothing is read, and the replayer's group is not joined)."""
    return bus.unconsumed(replayer_group(consumer), dead_letter_topic(consumer))


def dead_letter_backlog(
    bus: Bus, consumer: str, *, group: str, timeout: float = 1.0, within: float = 15.0
) -> Backlog:
    """`consumer`'s dead letters not yet replayed, read as a member of `group` (one that never
    commits, so every reading starts at the log's start) and kept when they lie at or after the
    replayer's committed offset in their partition. Reading stops once every waiting one was
    seen, at the first empty poll after some were read, or after `within` seconds (joining a
    Kafka group takes a few empty polls)."""
    topic = dead_letter_topic(consumer)
    waiting = bus.unconsumed(replayer_group(consumer), topic)
    if not waiting:
        return Backlog(waiting=0, oldest_at=None)
    replayed = bus.committed_offsets(replayer_group(consumer), topic)
    member = bus.consumer(group=group, topics=[topic])
    found: list[DeadLetter] = []
    deadline = time.monotonic() + within
    try:
        while len(found) < waiting and time.monotonic() < deadline:
            batch = member.poll(max_records=500, timeout=timeout)
            if not batch and found:
                break
            found += [_as_dead_letter(r) for r in batch if r.offset >= replayed.get(r.partition, 0)]
    finally:
        member.close()
    times = [letter.at for letter in found if letter.at is not None]
    return Backlog(waiting=waiting, oldest_at=min(times) if times else None)


def replay_dead_letters(bus: Bus, consumer: str, *, timeout: float = 1.0) -> int:
    """Publish each pending dead letter again to its original topic, marked as a replay so
    the consumer that failed it tries again; returns how many were replayed."""
    member = bus.consumer(group=replayer_group(consumer), topics=[dead_letter_topic(consumer)])
    replayed = 0
    try:
        while batch := member.poll(max_records=500, timeout=timeout):
            messages = []
            for record in batch:
                letter = _as_dead_letter(record)
                headers = {
                    name: value
                    for name, value in record.headers.items()
                    if name
                    not in (
                        ERROR_HEADER,
                        ORIGINAL_TOPIC_HEADER,
                        CONSUMER_HEADER,
                        DEAD_LETTERED_AT_HEADER,
                    )
                }
                headers[REPLAY_HEADER] = consumer.encode()
                messages.append(Message(letter.original_topic, record.key, record.value, headers))
            # Published before the commit: a crash between them replays again, and the
            # consumer's inbox absorbs the repeat.
            bus.publish(messages)
            member.commit(batch)
            replayed += len(batch)
    finally:
        member.close()
    return replayed
