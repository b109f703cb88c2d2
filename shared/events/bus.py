"""The event bus interface every engine implements: topics, keys, consumer groups, offsets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Message:
    """What a producer hands to the bus: the Kafka binding's shape (key, value, headers)."""

    topic: str
    key: str | None
    value: bytes
    headers: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Record:
    """What a consumer receives: a message and where it sits in the log."""

    topic: str
    partition: int
    offset: int
    key: str | None
    value: bytes
    headers: dict[str, bytes] = field(default_factory=dict)


class BusUnavailable(RuntimeError):
    """The bus cannot be reached; the caller keeps its data and tries again later."""


class Consumer(Protocol):
    """One member of a consumer group, reading some topics.

    Delivery is at least once: records are handed out from the group's committed
    offsets; what was polled but not committed is handed out again to the next
    member after this one dies or closes.
    """

    def poll(self, *, max_records: int = 100, timeout: float = 1.0) -> list[Record]:
        """Return up to `max_records` records after this member's position, waiting at
        most `timeout` seconds when there are none. Records of one partition come in
        offset order."""
        ...

    def commit(self, records: Sequence[Record]) -> None:
        """Durably mark these records (and everything before them in their partitions)
        as handled by the group."""
        ...

    def lag(self) -> int:
        """How many records of this member's topics the group has yet to handle."""
        ...

    def close(self) -> None:
        """Leave the group; uncommitted records go to the next member."""
        ...


class Bus(Protocol):
    """An engine: the embedded SQLite log or Apache Kafka."""

    def publish(self, messages: Sequence[Message]) -> None:
        """Append the messages durably, in order; raises BusUnavailable when it cannot.
        Messages with the same key on the same topic keep their relative order."""
        ...

    def consumer(self, *, group: str, topics: Sequence[str]) -> Consumer:
        """Join `group` as a new member reading `topics` from the group's committed
        offsets (from the start of the log when the group has none)."""
        ...

    def unconsumed(self, group: str, topic: str) -> int:
        """How many records of `topic` the group has yet to commit: all that the log holds
        when it has committed none, 0 when the topic does not exist."""
        ...

    def committed_offsets(self, group: str, topic: str) -> dict[int, int]:
        """Per partition of `topic`, the next offset the group has yet to commit (partitions it
        has committed nothing on are left out), read without joining the group."""
        ...

    def ping(self) -> None:
        """Raise BusUnavailable when the bus cannot be reached (readiness)."""
        ...

    def close(self) -> None:
        """Release connections and files."""
        ...
