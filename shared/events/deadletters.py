"""Dead letters: list them, and replay them to their topic once the cause is fixed."""

from __future__ import annotations

from dataclasses import dataclass

from shared.events.bus import Bus, Message, Record
from shared.events.consumer import (
    CONSUMER_HEADER,
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


def replayer_group(consumer: str) -> str:
    """The group that reads a consumer's dead letters: what it has committed was replayed
    (its Kafka ACLs name it)."""
    return f"deadletter-replayer.{consumer}"


def _as_dead_letter(record: Record) -> DeadLetter:
    return DeadLetter(
        record=record,
        original_topic=record.headers.get(ORIGINAL_TOPIC_HEADER, b"").decode(),
        error=record.headers.get(ERROR_HEADER, b"").decode(errors="replace"),
    )


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
                    if name not in (ERROR_HEADER, ORIGINAL_TOPIC_HEADER, CONSUMER_HEADER)
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
