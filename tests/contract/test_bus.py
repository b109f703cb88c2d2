"""Contract tests of the Bus interface: every engine must pass them (embedded-only ones say so)."""

from __future__ import annotations

import multiprocessing
import threading
from collections import defaultdict
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from shared.events.bus import Bus, BusUnavailable, Consumer, Message, Record
from shared.events.embedded import EmbeddedBus, LeaseLost
from tests.contract.conftest import LEASE_SECONDS, BusFactory, BusSpec
from tests.contract.support import drain

# Long enough for a lease to lapse and be taken over several times, short enough to fail fast.
TAKEOVER_SECONDS = LEASE_SECONDS * 4 + 2.0


def publish_values(bus: Bus, topic: str, values: Sequence[str], *, key: str | None = "k") -> None:
    bus.publish([Message(topic=topic, key=key, value=value.encode()) for value in values])


def values_of(records: Sequence[Record]) -> list[str]:
    return [record.value.decode() for record in records]


def gone_quiet(bus: Bus, topic: str, group: str) -> tuple[Consumer, list[Record]]:
    """A member handed a, b and c that then neither commits nor closes (paused or dead)."""
    publish_values(bus, topic, ["a", "b", "c"])
    member = bus.consumer(group=group, topics=[topic])
    return member, drain(member, 3)


def append_in_batches(spec: BusSpec, topic: str, writer: str, count: int, start: Any) -> None:
    """A child process: open its own handle and append `count` messages, five at a time."""
    bus = spec.open()
    try:
        bus.ping()  # open the file before the race, so both processes append at once
        start.wait(timeout=30)
        for first in range(0, count, 5):
            bus.publish(
                [
                    Message(topic=topic, key=writer, value=f"{writer}:{n}".encode())
                    for n in range(first, min(first + 5, count))
                ]
            )
    finally:
        bus.close()


def test_order_per_key_is_kept(bus: Bus, topic: str, group: str) -> None:
    keys = [f"settlement-{n}" for n in range(5)]
    messages = [
        Message(topic=topic, key=key, value=f"{key}:{n}".encode())
        for n in range(20)
        for key in keys
    ]
    for first in range(0, len(messages), 7):
        bus.publish(messages[first : first + 7])

    with closing(bus.consumer(group=group, topics=[topic])) as consumer:
        records = drain(consumer, len(messages))

    assert len(records) == len(messages)
    for key in keys:
        assert values_of([r for r in records if r.key == key]) == [f"{key}:{n}" for n in range(20)]


def test_independent_consumer_groups_each_receive_every_event(
    bus: Bus, topic: str, group: str
) -> None:
    values = [f"event-{n}" for n in range(10)]
    publish_values(bus, topic, values)

    with closing(bus.consumer(group=f"{group}.housing", topics=[topic])) as housing:
        seen_by_housing = drain(housing, len(values))
        housing.commit(seen_by_housing)
    with closing(bus.consumer(group=f"{group}.pension", topics=[topic])) as pension:
        seen_by_pension = drain(pension, len(values))

    assert values_of(seen_by_housing) == values
    assert values_of(seen_by_pension) == values


def test_uncommitted_records_are_redelivered_after_the_member_closes(
    bus: Bus, topic: str, group: str
) -> None:
    publish_values(bus, topic, ["a", "b", "c"])
    with closing(bus.consumer(group=group, topics=[topic])) as first:
        handed_out = drain(first, 3)

    with closing(bus.consumer(group=group, topics=[topic])) as second:
        redelivered = drain(second, 3)

    assert len(handed_out) == 3
    assert redelivered == handed_out


def test_uncommitted_records_are_redelivered_after_the_member_is_abandoned(
    embedded_bus: EmbeddedBus, topic: str, group: str
) -> None:
    _abandoned, handed_out = gone_quiet(embedded_bus, topic, group)

    # The abandoned member neither commits nor closes: its lease must lapse by itself.
    with closing(embedded_bus.consumer(group=group, topics=[topic])) as successor:
        redelivered = drain(successor, 3, within=TAKEOVER_SECONDS)

    assert len(handed_out) == 3
    assert redelivered == handed_out


def test_committed_records_are_not_redelivered(bus: Bus, topic: str, group: str) -> None:
    publish_values(bus, topic, ["a", "b", "c", "d", "e", "f"])
    with closing(bus.consumer(group=group, topics=[topic])) as first:
        records = drain(first, 6)
        first.commit(records[:4])

    with closing(bus.consumer(group=group, topics=[topic])) as second:
        rest = drain(second, 6, within=0.5)

    assert values_of(rest) == ["e", "f"]
    assert [r.offset for r in rest] == [r.offset for r in records[4:]]


def test_committed_offsets_are_durable_across_a_restart(
    make_bus: BusFactory, topic: str, group: str
) -> None:
    before = make_bus()
    publish_values(before, topic, ["a", "b", "c", "d", "e"])
    with closing(before.consumer(group=group, topics=[topic])) as consumer:
        consumer.commit(drain(consumer, 3))
    before.close()

    after = make_bus()
    publish_values(after, topic, ["f"])
    with closing(after.consumer(group=group, topics=[topic])) as consumer:
        resumed = drain(consumer, 10, within=0.5)

    assert values_of(resumed) == ["d", "e", "f"]
    assert [r.offset for r in resumed] == [3, 4, 5]


def test_two_processes_appending_at_once_leave_no_gaps(
    bus_spec: BusSpec, bus: Bus, topic: str, group: str
) -> None:
    per_writer = 150
    writers = ["writer-a", "writer-b"]
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(len(writers))
    processes = [
        context.Process(target=append_in_batches, args=(bus_spec, topic, w, per_writer, start))
        for w in writers
    ]
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=60)
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
    assert [p.exitcode for p in processes] == [0, 0]

    with closing(bus.consumer(group=group, topics=[topic])) as consumer:
        records = drain(consumer, per_writer * len(writers), within=10.0)

    assert len(records) == per_writer * len(writers)
    offsets: dict[int, list[int]] = defaultdict(list)
    for record in records:
        offsets[record.partition].append(record.offset)
    for partition_offsets in offsets.values():
        assert partition_offsets == list(range(len(partition_offsets)))
    for writer in writers:
        mine = [r for r in records if r.key == writer]
        assert values_of(mine) == [f"{writer}:{n}" for n in range(per_writer)]


def test_threads_sharing_one_handle_can_publish_at_once(bus: Bus, topic: str, group: str) -> None:
    per_thread = 50
    names = [f"thread-{n}" for n in range(4)]
    errors: list[BaseException] = []

    def append(name: str) -> None:
        try:
            for n in range(per_thread):
                publish_values(bus, topic, [f"{name}:{n}"], key=name)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    with closing(bus.consumer(group=group, topics=[topic])) as consumer:
        records = drain(consumer, per_thread * len(names))
    for name in names:
        assert values_of([r for r in records if r.key == name]) == [
            f"{name}:{n}" for n in range(per_thread)
        ]


def test_a_batch_is_published_all_or_nothing(embedded_bus: EmbeddedBus, topic: str) -> None:
    other_topic = f"{topic}.other"
    good = [
        Message(topic=topic, key="k", value=b"one"),
        Message(topic=other_topic, key="k", value=b"two"),
        Message(topic=topic, key="k", value=b"three"),
    ]
    bad = Message(topic=topic, key="k", value="not bytes")  # type: ignore[arg-type]

    with pytest.raises(TypeError):
        embedded_bus.publish([*good, bad])

    assert embedded_bus.read(topic) == []
    assert embedded_bus.end_offsets([topic, other_topic]) == {topic: 0, other_topic: 0}
    embedded_bus.publish(good)
    assert [r.offset for r in embedded_bus.read(topic)] == [0, 1]
    assert [r.offset for r in embedded_bus.read(other_topic)] == [0]


def test_within_a_group_one_member_at_a_time_receives_a_topic(
    embedded_bus: EmbeddedBus, topic: str, group: str
) -> None:
    # Leases far longer than the test, so only the holder's close can hand the topic over.
    with closing(EmbeddedBus(embedded_bus.path, lease_seconds=60)) as long_leases:
        publish_values(long_leases, topic, ["a", "b", "c", "d"])
        holder = long_leases.consumer(group=group, topics=[topic])
        waiting = long_leases.consumer(group=group, topics=[topic])

        received = drain(holder, 4)
        publish_values(long_leases, topic, ["e"])
        assert waiting.poll(timeout=0.5) == []

        holder.commit(received[:2])
        holder.close()
        taken_over = drain(waiting, 3)

    assert values_of(received) == ["a", "b", "c", "d"]
    assert values_of(taken_over) == ["c", "d", "e"]


def test_a_member_whose_lease_was_taken_over_cannot_commit(
    embedded_bus: EmbeddedBus, topic: str, group: str
) -> None:
    paused, handled_late = gone_quiet(embedded_bus, topic, group)

    with closing(embedded_bus.consumer(group=group, topics=[topic])) as successor:
        taken_over = drain(successor, 3, within=TAKEOVER_SECONDS)
        successor.commit(taken_over[:1])

        with pytest.raises(LeaseLost):
            paused.commit(handled_late)
        successor.poll(timeout=0)  # a heartbeat, so the lease is fresh for the next check
        assert paused.poll(timeout=0) == []

    assert values_of(taken_over) == ["a", "b", "c"]
    assert embedded_bus.committed(group, topic) == 1
    paused.close()


def test_a_commit_never_moves_the_offset_backwards(
    embedded_bus: EmbeddedBus, topic: str, group: str
) -> None:
    publish_values(embedded_bus, topic, ["a", "b", "c"])
    with closing(embedded_bus.consumer(group=group, topics=[topic])) as consumer:
        records = drain(consumer, 3)
        consumer.commit(records)
        consumer.commit(records[:1])

    assert embedded_bus.committed(group, topic) == 3


def test_polling_an_unknown_topic_returns_nothing(bus: Bus, topic: str, group: str) -> None:
    with closing(bus.consumer(group=group, topics=[topic])) as consumer:
        assert consumer.poll(timeout=0.2) == []
        consumer.commit([])


def test_key_and_headers_round_trip_byte_for_byte(bus: Bus, topic: str, group: str) -> None:
    sent = [
        Message(
            topic=topic,
            key="户籍-440203-0001",
            value=bytes(range(256)),
            headers={"ce_id": b"\x00\xff\xfe\x80", "empty": b"", "ce_source": "韶关".encode()},
        ),
        Message(topic=topic, key=None, value=b"", headers={}),
    ]
    bus.publish(sent)

    with closing(bus.consumer(group=group, topics=[topic])) as consumer:
        received = drain(consumer, 2)

    assert sorted((r.key or "", r.value, r.headers) for r in received) == sorted(
        (m.key or "", m.value, m.headers) for m in sent
    )
    assert all(r.topic == topic for r in received)


def test_the_log_can_be_read_outside_any_group(
    embedded_bus: EmbeddedBus, topic: str, group: str
) -> None:
    publish_values(embedded_bus, topic, ["a", "b", "c", "d"])
    with closing(embedded_bus.consumer(group=group, topics=[topic])) as consumer:
        consumer.commit(drain(consumer, 1))

    assert values_of(embedded_bus.read(topic, from_offset=1, limit=2)) == ["b", "c"]
    assert embedded_bus.end_offsets([topic, f"{topic}.empty"]) == {topic: 4, f"{topic}.empty": 0}
    assert embedded_bus.committed(group, topic) == 1
    assert embedded_bus.committed(f"{group}.other", topic) == 0


def test_ping_succeeds_on_a_usable_log(bus: Bus) -> None:
    bus.ping()


def test_a_file_that_is_not_a_log_makes_the_bus_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    path.write_bytes(b"this is not an sqlite database " * 64)
    bus = EmbeddedBus(path)
    try:
        with pytest.raises(BusUnavailable):
            bus.ping()
        with pytest.raises(BusUnavailable):
            bus.publish([Message(topic="t", key=None, value=b"x")])
    finally:
        bus.close()
