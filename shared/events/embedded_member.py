"""A member of a consumer group on the embedded log: it reads a topic only while it holds
the topic's lease, renews it as it polls, and gives it up on close (shared/events/embedded.py)."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from shared.events.bus import BusUnavailable, Record

if TYPE_CHECKING:
    from shared.events.embedded import EmbeddedBus


class LeaseLost(RuntimeError):
    """This member no longer holds a topic's lease; another member took over its records."""


class EmbeddedConsumer:
    """One member of a consumer group on the embedded log; used by one thread."""

    def __init__(self, bus: EmbeddedBus, *, group: str, topics: Sequence[str]) -> None:
        self.group = group
        self.topics = list(dict.fromkeys(topics))
        self.member_id = uuid.uuid4().hex
        self._bus = bus
        # Topics whose lease this member holds, mapped to the next offset to hand out.
        self._positions: dict[str, int] = {}
        self._renewed_at = float("-inf")
        self._turn = 0
        self._closed = False

    def poll(self, *, max_records: int = 100, timeout: float = 1.0) -> list[Record]:
        if self._closed:
            raise RuntimeError("poll on a closed consumer")
        if max_records < 1:
            raise ValueError("max_records must be at least 1")
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            self._heartbeat()
            records = self._fetch(max_records)
            remaining = deadline - time.monotonic()
            if records or remaining <= 0:
                return records
            # Sleeping outside any transaction: a waiting member never blocks publishers.
            time.sleep(min(self._bus.poll_interval, remaining))

    def lag(self) -> int:
        """Records in the member's topics that the group has not committed yet."""
        ends = self._bus.end_offsets(self.topics)
        return sum(ends[t] - self._bus.committed(self.group, t) for t in self.topics)

    def commit(self, records: Sequence[Record]) -> None:
        """Store each topic's max(offset)+1; raises LeaseLost if another member took over."""
        if self._closed:
            raise RuntimeError("commit on a closed consumer")
        next_offsets: dict[str, int] = {}
        for record in records:
            next_offsets[record.topic] = max(next_offsets.get(record.topic, 0), record.offset + 1)
        if not next_offsets:
            return
        try:
            self._bus._commit(self.group, self.member_id, next_offsets)
        except LeaseLost:
            # Forget positions that may be stale; the next poll re-takes what it can.
            for topic in next_offsets:
                self._positions.pop(topic, None)
            raise

    def close(self) -> None:
        """Release this member's leases so another member takes over at once."""
        if self._closed:
            return
        self._closed = True
        self._positions.clear()
        # If the log is gone or its handle closed, the leases simply expire.
        with contextlib.suppress(BusUnavailable, RuntimeError):
            self._bus._release(self.group, self.member_id)

    def _heartbeat(self) -> None:
        """Renew held leases once a third of their time has passed; take any that are free."""
        # Renewing on every poll would be a write per poll per member; a third of the
        # lease leaves two thirds of margin before anyone may take over.
        due = time.monotonic() - self._renewed_at >= self._bus.lease_seconds / 3
        wanted = [topic for topic in self.topics if topic not in self._positions]
        free = bool(wanted) and bool(
            set(wanted) - self._bus._held_elsewhere(self.group, self.member_id, wanted)
        )
        if due or free:
            self._positions = self._bus._claim(
                self.group, self.member_id, self.topics, self._positions
            )
            self._renewed_at = time.monotonic()

    def _fetch(self, max_records: int) -> list[Record]:
        # Start from a different topic each time, so one busy topic cannot starve the others.
        self._turn = (self._turn + 1) % len(self.topics)
        records: list[Record] = []
        for topic in self.topics[self._turn :] + self.topics[: self._turn]:
            if topic not in self._positions or len(records) >= max_records:
                continue
            batch = self._bus.read(
                topic, from_offset=self._positions[topic], limit=max_records - len(records)
            )
            if batch:
                self._positions[topic] = batch[-1].offset + 1
                records.extend(batch)
        return records
