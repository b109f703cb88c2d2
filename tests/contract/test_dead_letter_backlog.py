"""Every engine: the coordination office reads a consumer's dead letters waiting, and when the
oldest was dead-lettered, without joining the replayer's group (四(三) incidents)."""

from __future__ import annotations

from datetime import datetime

from shared.events.bus import Bus, Message
from shared.events.consumer import DEAD_LETTERED_AT_HEADER, dead_letter_topic
from shared.events.deadletters import dead_letter_backlog, incidents_group, replayer_group
from tests.contract.support import drain, unique

TIMES = ("2026-12-01T01:00:00+00:00", "2026-12-02T01:00:00+00:00")


def test_the_backlog_is_what_the_replayer_has_not_committed_dated_by_its_oldest(bus: Bus) -> None:
    consumer = unique("contract-consumer")
    topic = dead_letter_topic(consumer)
    bus.publish(
        [
            Message(topic, "s-1", f"v{n}".encode(), {DEAD_LETTERED_AT_HEADER: at.encode()})
            for n, at in enumerate(TIMES)
        ]
    )
    assert bus.committed_offsets(replayer_group(consumer), topic) == {}

    office = incidents_group("coordination", consumer)
    both = dead_letter_backlog(bus, consumer, group=office)
    assert (both.waiting, both.oldest_at) == (2, datetime.fromisoformat(TIMES[0]))

    replayer = bus.consumer(group=replayer_group(consumer), topics=[topic])
    first, second = drain(replayer, 2)
    replayer.commit([first])  # the operator replayed the first only
    replayer.close()
    assert bus.committed_offsets(replayer_group(consumer), topic) == {
        first.partition: first.offset + 1
    }

    left = dead_letter_backlog(bus, consumer, group=office)
    assert (left.waiting, left.oldest_at) == (1, datetime.fromisoformat(TIMES[1]))
    assert second.value == b"v1"
