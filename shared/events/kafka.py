"""The Apache Kafka engine (kafka-python): idempotent producer, consumer groups, manual commits."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, Literal

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError, TopicAuthorizationFailedError
from kafka.structs import OffsetAndMetadata

from shared.events.bus import BusUnavailable, Message, Record
from shared.events.kafka_security import PLAINTEXT, KafkaSecurity

log = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 30.0
BOOTSTRAP_TIMEOUT_MS = 10_000
"""How long a client may take to reach the broker when it is built. kafka-python retries a
refused login or TLS handshake until then (30 s by default), then says only "Unable to
bootstrap"; its log names the cause."""


class CommitRefused(RuntimeError):
    """The group moved on (a rebalance gave the partitions to another member): the records
    will be handed out again to their new owner, whose inbox makes them no-ops."""


def create_missing_topics(
    admin: KafkaAdminClient,
    configs: Mapping[str, Mapping[str, str]],
    *,
    partitions: int,
    replication_factor: int,
) -> list[str]:
    """Create those of the topics (each with its topic configs) that do not exist yet, and wait
    until they can be used; the names created."""
    existing = set(admin.list_topics())
    new = [
        NewTopic(
            name,
            num_partitions=partitions,
            replication_factor=replication_factor,
            topic_configs=dict(config),
        )
        for name, config in configs.items()
        if name not in existing
    ]
    if new:
        with contextlib.suppress(TopicAlreadyExistsError):  # another process was first
            admin.create_topics(new)
        await_leaders(admin, [topic.name for topic in new])
    return [topic.name for topic in new]


def await_leaders(admin: KafkaAdminClient, topics: list[str], timeout: float = 15.0) -> None:
    """Wait until every partition of the topics has a leader. The broker answers a creation
    before its metadata shows the topic; a consumer group that joins in between is assigned no
    partitions and would not look again for minutes (metadata.max.age.ms)."""
    deadline = time.monotonic() + timeout
    while True:
        described = admin.describe_topics(topics)
        if all(
            t["error_code"] == 0
            and t["partitions"]
            and all(p["leader_id"] >= 0 for p in t["partitions"])
            for t in described
        ):
            return
        if time.monotonic() > deadline:
            raise BusUnavailable(f"kafka: topics {topics} have no leaders yet")
        time.sleep(0.05)


@dataclass(eq=False)
class KafkaBus:
    """Kafka behind the `Bus` interface: the settlement id is the key, so one household's
    events share a partition and keep their order."""

    bootstrap_servers: str
    _: KW_ONLY
    partitions: int = 6
    replication_factor: int = 1
    client_id: str = "luohu"
    session_timeout_ms: int = 10_000
    max_poll_interval_ms: int = 300_000
    # Prefixes every topic and group on the broker, so environments can share a cluster;
    # services still see the contract's topic names.
    namespace: str = ""
    # TLS and SASL for every client this bus builds (producer, consumers, admin).
    security: KafkaSecurity = PLAINTEXT
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _producer: KafkaProducer | None = field(default=None, init=False, repr=False)
    _admin: KafkaAdminClient | None = field(default=None, init=False, repr=False)
    _topics: set[str] = field(default_factory=set, init=False, repr=False)
    _consumers: list[KafkaGroupMember] = field(default_factory=list, init=False, repr=False)

    def client_config(self, role: str) -> dict[str, Any]:
        """What every client of this bus connects with: its security, the brokers, a client
        id naming the bus and the client's `role`, and how long it may take to reach them."""
        return {
            **self.security.client_config(),
            "bootstrap_servers": self.bootstrap_servers,
            "client_id": f"{self.client_id}-{role}",
            "bootstrap_timeout_ms": BOOTSTRAP_TIMEOUT_MS,
        }

    def _get_producer(self) -> KafkaProducer:
        with self._lock:
            if self._producer is None:
                self._producer = KafkaProducer(
                    **self.client_config("producer"),
                    acks="all",
                    enable_idempotence=True,
                    linger_ms=5,
                    # Settlement events are ~1.5 kB: the 16 kB default holds ten of them.
                    batch_size=256 * 1024,
                    retries=2**31 - 1,
                    delivery_timeout_ms=int(SEND_TIMEOUT_SECONDS * 1000),
                    request_timeout_ms=10_000,
                    max_block_ms=10_000,
                )
            return self._producer

    def _get_admin(self) -> KafkaAdminClient:
        with self._lock:
            if self._admin is None:
                self._admin = KafkaAdminClient(
                    **self.client_config("admin"),
                    request_timeout_ms=10_000,
                )
            return self._admin

    def ensure_topics(self, topics: Sequence[str]) -> None:
        """Create missing topics with the configured partition count (auto-creation is off)."""
        missing = [self.namespace + t for t in dict.fromkeys(topics)]
        missing = [t for t in missing if t not in self._topics]
        if not missing:
            return
        try:
            create_missing_topics(
                self._get_admin(),
                {topic: {} for topic in missing},
                partitions=self.partitions,
                replication_factor=self.replication_factor,
            )
        except TopicAuthorizationFailedError as exc:
            # The user's ACLs hide a topic it does not own, so it looks missing.
            raise BusUnavailable(
                f"kafka: this Kafka user may not use {missing} (its ACLs): {exc}"
            ) from exc
        except KafkaError as exc:
            self._discard("_admin")
            raise BusUnavailable(f"kafka: cannot create topics: {exc}") from exc
        self._topics.update(missing)

    def publish(self, messages: Sequence[Message]) -> None:
        if not messages:
            return
        self.ensure_topics([m.topic for m in messages])
        try:
            producer = self._get_producer()
            futures = [
                producer.send(
                    self.namespace + m.topic,
                    key=m.key.encode() if m.key is not None else None,
                    value=m.value,
                    headers=list(m.headers.items()),
                )
                for m in messages
            ]
            producer.flush(timeout=SEND_TIMEOUT_SECONDS)
            for future in futures:
                future.get(timeout=SEND_TIMEOUT_SECONDS)
        except KafkaError as exc:
            self._discard("_producer")
            raise BusUnavailable(f"kafka: publish failed: {exc}") from exc

    def _discard(self, client: Literal["_producer", "_admin"]) -> None:
        """Drop a client that failed, so the next call builds a new one: after the broker
        comes back, kafka-python's producer can stay stuck, every flush timing out (seen for
        12 minutes after a broker restart). What it had not sent is still in the outbox."""
        with self._lock:
            failed = getattr(self, client)
            setattr(self, client, None)
        if failed is None:
            return
        # A producer's unsent records are dropped (the outbox keeps them); closing a client
        # that failed already must not fail the caller.
        with contextlib.suppress(Exception):
            failed.close(**({"timeout": 0} if client == "_producer" else {}))

    def consumer(self, *, group: str, topics: Sequence[str]) -> KafkaGroupMember:
        self.ensure_topics(topics)
        member = KafkaGroupMember(self, group=group, topics=list(topics))
        self._consumers.append(member)
        return member

    def unconsumed(self, group: str, topic: str) -> int:
        """Records of `topic` after the group's committed offsets, read without joining the
        group (so its members are not rebalanced) and without creating the topic."""
        total = 0
        for begin, end, committed in self._offsets(group, topic).values():
            # No commit: the group would start at the log's start (auto_offset_reset).
            total += max(0, end - max(begin if committed is None else committed, begin))
        return total

    def committed_offsets(self, group: str, topic: str) -> dict[int, int]:
        return {
            partition: committed
            for partition, (_, _, committed) in self._offsets(group, topic).items()
            if committed is not None
        }

    def _offsets(self, group: str, topic: str) -> dict[int, tuple[int, int, int | None]]:
        """Per partition: the log's first and end offsets and the group's commit (None: none),
        read without joining the group; nothing for a topic that does not exist."""
        name = self.namespace + topic
        try:
            if name not in set(self._get_admin().list_topics()):
                return {}
            reader = KafkaConsumer(
                **self.client_config("offsets"),
                group_id=self.namespace + group,
                enable_auto_commit=False,
            )
            try:
                _await_partitions(reader, [name])
                partitions = [TopicPartition(name, p) for p in reader.partitions_for_topic(name)]
                starts = reader.beginning_offsets(partitions)
                ends = reader.end_offsets(partitions)
                return {p.partition: (starts[p], ends[p], reader.committed(p)) for p in partitions}
            finally:
                reader.close(autocommit=False)
        except KafkaError as exc:
            raise BusUnavailable(f"kafka: cannot read the offsets of {group}: {exc}") from exc

    def ping(self) -> None:
        """Answer within about a second: a readiness probe must not hang on a dead broker."""
        reachable = False
        for server in self.bootstrap_servers.split(","):
            host, _, port = server.strip().rpartition(":")
            try:
                with socket.create_connection((host or "localhost", int(port)), timeout=1.0):
                    reachable = True
                    break
            except OSError:
                continue
        if not reachable:
            raise BusUnavailable(f"kafka: no bootstrap server answers at {self.bootstrap_servers}")
        try:
            self._get_admin().list_topics()
        except KafkaError as exc:
            raise BusUnavailable(f"kafka: unreachable: {exc}") from exc

    def close(self) -> None:
        for member in self._consumers:
            member.close()
        self._consumers.clear()
        with self._lock:
            if self._producer is not None:
                self._producer.close(timeout=10)
                self._producer = None
            if self._admin is not None:
                self._admin.close()
                self._admin = None


def _await_partitions(consumer: KafkaConsumer, topics: list[str], timeout: float = 15.0) -> None:
    """Wait until the consumer's own metadata knows every partition of its topics. A member
    that joins its group first leads the assignment with what it knows: a topic it has no
    metadata for yet gets it no partitions, and the group can sit empty-handed (seen with a
    topic created a moment before)."""
    deadline = time.monotonic() + timeout
    while not all(consumer.partitions_for_topic(topic) for topic in topics):
        if time.monotonic() > deadline:
            raise BusUnavailable(f"kafka: no partitions known for {topics}")
        time.sleep(0.05)


class KafkaGroupMember:
    """One member of a Kafka consumer group; offsets are committed only by `commit`."""

    def __init__(self, bus: KafkaBus, *, group: str, topics: list[str]) -> None:
        self.group = group
        self.topics = topics
        self.namespace = bus.namespace
        self.member_id = uuid.uuid4().hex
        try:
            self._consumer: KafkaConsumer | None = KafkaConsumer(
                **bus.client_config(f"{group}-{self.member_id[:8]}"),
                group_id=bus.namespace + group,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                session_timeout_ms=bus.session_timeout_ms,
                heartbeat_interval_ms=max(1000, bus.session_timeout_ms // 3),
                max_poll_interval_ms=bus.max_poll_interval_ms,
                request_timeout_ms=max(30_000, bus.session_timeout_ms + 5_000),
            )
            named = [bus.namespace + t for t in topics]
            _await_partitions(self._consumer, named)
            self._consumer.subscribe(named)
        except KafkaError as exc:
            raise BusUnavailable(f"kafka: cannot join group {group}: {exc}") from exc

    def poll(self, *, max_records: int = 100, timeout: float = 1.0) -> list[Record]:
        if self._consumer is None:
            raise RuntimeError("the consumer is closed")
        try:
            batches: dict[Any, list[Any]] = self._consumer.poll(
                timeout_ms=int(timeout * 1000), max_records=max_records
            )
        except KafkaError as exc:
            raise BusUnavailable(f"kafka: poll failed: {exc}") from exc
        records = [
            Record(
                topic=r.topic.removeprefix(self.namespace),
                partition=r.partition,
                offset=r.offset,
                key=r.key.decode() if r.key is not None else None,
                value=r.value,
                headers={name: bytes(value) for name, value in (r.headers or [])},
            )
            for partition_records in batches.values()
            for r in partition_records
        ]
        return sorted(records, key=lambda r: (r.topic, r.partition, r.offset))

    def commit(self, records: Sequence[Record]) -> None:
        if self._consumer is None:
            raise RuntimeError("the consumer is closed")
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for record in records:
            partition = TopicPartition(self.namespace + record.topic, record.partition)
            next_offset = record.offset + 1
            if partition not in offsets or offsets[partition].offset < next_offset:
                offsets[partition] = OffsetAndMetadata(next_offset, "", -1)
        if not offsets:
            return
        try:
            self._consumer.commit(offsets=offsets)
        except KafkaError as exc:
            raise CommitRefused(f"kafka: commit refused for group {self.group}: {exc}") from exc

    def lag(self) -> int:
        """Records in this member's partitions after its position (from the last fetch)."""
        if self._consumer is None:
            return 0
        total = 0
        for partition in self._consumer.assignment():
            highwater = self._consumer.highwater(partition)
            if highwater is not None:
                total += max(0, highwater - self._consumer.position(partition))
        return total

    def assigned_partitions(self) -> set[tuple[str, int]]:
        """The (topic, partition) pairs this member holds now (changes on rebalance)."""
        if self._consumer is None:
            return set()
        return {
            (tp.topic.removeprefix(self.namespace), tp.partition)
            for tp in self._consumer.assignment()
        }

    def close(self) -> None:
        if self._consumer is not None:
            try:
                self._consumer.close(autocommit=False)
            finally:
                self._consumer = None
