"""`luohu topics create` makes every topic of the registry on the real broker, once."""

from __future__ import annotations

import uuid

import pytest
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient
from typer.testing import CliRunner

from shared.cli import app
from shared.events.topics import platform_topics
from shared.registry import SERVICES, topics
from tests.contract.conftest import kafka_bootstrap


def topic_configs(servers: str, topic: str) -> dict[str, str]:
    admin = KafkaAdminClient(bootstrap_servers=servers)
    try:
        described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic)])
        return {name: entry["value"] for name, entry in described["topic"][topic].items()}
    finally:
        admin.close()


def test_every_topic_is_created_with_its_retention_and_in_sync_minimum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    servers = kafka_bootstrap()
    namespace = f"t{uuid.uuid4().hex[:8]}."
    monkeypatch.setenv("LUOHU_KAFKA_BOOTSTRAP_SERVERS", servers)
    monkeypatch.setenv("LUOHU_KAFKA_NAMESPACE", namespace)
    monkeypatch.setenv("LUOHU_KAFKA_PARTITIONS", "2")
    wanted = platform_topics(event_retention_ms=86_400_000)
    # The fan-out's events, and a dead letter each (the coordination office publishes none).
    assert len(wanted) == len(topics()) + len(SERVICES)

    arguments = ["topics", "create", "--event-retention-ms", "86400000"]
    first = CliRunner().invoke(app, arguments)
    assert first.exit_code == 0, first.output
    assert f"{len(wanted)} topics created, 0 existed already" in first.output
    again = CliRunner().invoke(app, arguments)
    assert f"0 topics created, {len(wanted)} existed already" in again.output

    admin = KafkaAdminClient(bootstrap_servers=servers)
    try:
        present = {t for t in admin.list_topics() if t.startswith(namespace)}
        assert present == {namespace + topic for topic in wanted}
        partitions = {
            t["name"]: len(t["partitions"]) for t in admin.describe_topics(sorted(present))
        }
        assert set(partitions.values()) == {2}
    finally:
        admin.close()
    approved = topic_configs(servers, namespace + "hukou.settlement.approved")
    assert approved["retention.ms"] == "86400000"
    assert approved["min.insync.replicas"] == "1"
    assert topic_configs(servers, namespace + "deadletter.housing")["retention.ms"] == "-1"


def test_more_in_sync_replicas_than_copies_is_refused() -> None:
    result = CliRunner().invoke(
        app, ["topics", "create", "--replication-factor", "1", "--min-insync-replicas", "2"]
    )
    assert result.exit_code == 2
    assert "--min-insync-replicas" in result.output
