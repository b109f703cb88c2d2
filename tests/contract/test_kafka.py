"""What only the Kafka engine has: rebalancing within a group, resuming after a SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from shared.events.bus import Message, Record
from shared.events.kafka import KafkaBus
from tests.contract.conftest import kafka_bootstrap
from tests.contract.support import unique

PARTITIONS = 3


@pytest.fixture
def servers() -> str:
    return kafka_bootstrap()


def _bus(servers: str) -> KafkaBus:
    return KafkaBus(servers, partitions=PARTITIONS, session_timeout_ms=6000)


def _publish(bus: KafkaBus, topic: str, count: int, *, start: int = 0) -> None:
    bus.publish(
        [
            Message(topic, f"household-{n % 12}", f"{n}".encode())
            for n in range(start, start + count)
        ]
    )


def test_a_second_member_joining_takes_over_part_of_the_partitions(servers: str) -> None:
    topic, group = unique("kafka.rebalance"), unique("group")
    bus_a, bus_b = _bus(servers), _bus(servers)
    try:
        first = bus_a.consumer(group=group, topics=[topic])
        deadline = time.monotonic() + 30
        while len(first.assigned_partitions()) < PARTITIONS and time.monotonic() < deadline:
            first.poll(timeout=0.5)
        assert first.assigned_partitions() == {(topic, p) for p in range(PARTITIONS)}

        second = bus_b.consumer(group=group, topics=[topic])
        received: dict[str, list[Record]] = {"first": [], "second": []}
        stop = threading.Event()

        def consume(name: str, member: object) -> None:
            while not stop.is_set():
                batch = member.poll(timeout=0.3)  # type: ignore[attr-defined]
                received[name].extend(batch)
                if batch:
                    member.commit(batch)  # type: ignore[attr-defined]

        threads = [
            threading.Thread(target=consume, args=("first", first)),
            threading.Thread(target=consume, args=("second", second)),
        ]
        for thread in threads:
            thread.start()
        try:
            deadline = time.monotonic() + 45
            while time.monotonic() < deadline and not (
                first.assigned_partitions() and second.assigned_partitions()
            ):
                time.sleep(0.2)
            split = (first.assigned_partitions(), second.assigned_partitions())
            _publish(bus_a, topic, 60)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and sum(map(len, received.values())) < 60:
                time.sleep(0.2)
        finally:
            stop.set()
            for thread in threads:
                thread.join()

        assert split[0] and split[1], "both members hold partitions after the rebalance"
        assert not split[0] & split[1], "no partition is held twice"
        assert split[0] | split[1] == {(topic, p) for p in range(PARTITIONS)}
        values = [r.value for records in received.values() for r in records]
        assert sorted(values, key=int) == [str(n).encode() for n in range(60)]
        assert received["first"] and received["second"]
    finally:
        bus_a.close()
        bus_b.close()


CONSUMER_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from shared.events.kafka import KafkaBus
    servers, group, topic, handle = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    bus = KafkaBus(servers, partitions=3, session_timeout_ms=6000)
    member = bus.consumer(group=group, topics=[topic])
    handled = []
    while len(handled) < handle:
        handled.extend(member.poll(max_records=handle - len(handled), timeout=0.5))
    member.commit(handled)
    print("committed", len(handled), flush=True)
    extra = []
    while not extra:
        extra = member.poll(max_records=5, timeout=0.5)  # polled, never committed
    print("polled", len(extra), flush=True)
    time.sleep(600)
    """
)


def test_a_killed_member_s_successor_resumes_from_the_committed_offsets(
    servers: str, tmp_path: Path
) -> None:
    topic, group = unique("kafka.kill"), unique("group")
    bus = _bus(servers)
    try:
        _publish(bus, topic, 30)
        script = tmp_path / "consumer.py"
        script.write_text(CONSUMER_SCRIPT)
        child = subprocess.Popen(
            [sys.executable, str(script), servers, group, topic, "20"],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(Path.cwd())},
        )
        assert child.stdout is not None
        lines = [child.stdout.readline().strip() for _ in range(2)]
        assert lines[0] == "committed 20"
        assert lines[1].startswith("polled")
        child.send_signal(signal.SIGKILL)
        child.wait()

        successor = bus.consumer(group=group, topics=[topic])
        resumed: list[Record] = []
        deadline = time.monotonic() + 60
        while len(resumed) < 10 and time.monotonic() < deadline:
            resumed.extend(successor.poll(timeout=0.5))
        extra = successor.poll(timeout=1.0)

        assert len(resumed) == 10 and not extra, "exactly the uncommitted records come again"
        handled_before = {str(n).encode() for n in range(30)} - {r.value for r in resumed}
        assert len(handled_before) == 20
    finally:
        bus.close()


def test_namespaces_keep_environments_on_one_cluster_apart(servers: str) -> None:
    topic, group = unique("kafka.namespaced"), unique("group")
    city = KafkaBus(servers, partitions=PARTITIONS, namespace=f"{unique('city')}.")
    test = KafkaBus(servers, partitions=PARTITIONS, namespace=f"{unique('test')}.")
    try:
        city.publish([Message(topic, "s-1", b"city")])
        test.publish([Message(topic, "s-1", b"test")])
        received: dict[str, list[Record]] = {}
        for name, bus in (("city", city), ("test", test)):
            member = bus.consumer(group=group, topics=[topic])
            deadline = time.monotonic() + 30
            records: list[Record] = []
            while not records and time.monotonic() < deadline:
                records = member.poll(timeout=0.5)
            member.commit(records)
            received[name] = records
        assert [(r.topic, r.value) for r in received["city"]] == [(topic, b"city")]
        assert [(r.topic, r.value) for r in received["test"]] == [(topic, b"test")]
    finally:
        city.close()
        test.close()
