"""Kafka's topics: `luohu topics list` names each one the platform uses once, and the topics
Job creates them at three copies two in sync, kept as long as the prune keeps events, with
a partition for every replica."""

from __future__ import annotations

from typer.testing import CliRunner

from shared.cli import app as cli_app
from shared.settings import Settings
from tests.deploy.support import (
    K8S,
    PLATFORM_TOPICS,
    SERVICES,
    Document,
    documents,
    k8s_name,
    one,
    service_config,
    service_docs,
)


def topics_job_container() -> Document:
    (job,) = documents(K8S / "kafka" / "topics-job.yaml")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    return dict(container)


def test_the_topic_list_holds_every_topic_the_platform_uses_once() -> None:
    listed = CliRunner().invoke(cli_app, ["topics", "list"])
    assert listed.exit_code == 0, listed.output
    topics = listed.output.split()
    assert len(topics) == len(set(topics))
    assert set(topics) == PLATFORM_TOPICS


def test_topic_job_creates_every_topic_of_the_registry_at_three_copies_two_in_sync() -> None:
    container = topics_job_container()
    assert container["image"].startswith("luohu/"), "the CLI's own list, from the registry"
    assert container["command"][:3] == ["luohu", "topics", "create"]
    assert "--replication-factor=3" in container["command"]
    assert "--min-insync-replicas=2" in container["command"]
    assert "--dead-letter-retention-ms=-1" in container["command"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert set(env) <= {f"LUOHU_{field.upper()}" for field in Settings.model_fields}


def test_topics_keep_events_as_long_as_the_services_prune_keeps_them() -> None:
    """retention.ms comes from the same days as `luohu prune` (no --event-retention-ms)."""
    container = topics_job_container()
    assert not any(arg.startswith("--event-retention-ms") for arg in container["command"])
    env = {e["name"]: e["value"] for e in container["env"]}
    for service in SERVICES:
        config = service_config(service)
        for setting in ("LUOHU_RETENTION_DAYS", "LUOHU_EVENT_RETENTION_DAYS"):
            assert env.get(setting) == config.get(setting), (service, setting)
    assert int(env["LUOHU_RETENTION_DAYS"]) >= 1


def test_partitions_allow_every_replica_to_consume() -> None:
    """A consumer group uses at most one member per partition: maxReplicas <= partitions."""
    container = topics_job_container()
    env = {e["name"]: e["value"] for e in container["env"]}
    partitions = int(env["LUOHU_KAFKA_PARTITIONS"])
    config = service_config("hukou")
    assert int(config["LUOHU_KAFKA_PARTITIONS"]) == partitions
    replication = f"--replication-factor={config['LUOHU_KAFKA_REPLICATION_FACTOR']}"
    assert replication in container["command"]
    assert config["LUOHU_KAFKA_BOOTSTRAP_SERVERS"] == env["LUOHU_KAFKA_BOOTSTRAP_SERVERS"]
    for service in SERVICES:
        hpa = one(service_docs(service), "HorizontalPodAutoscaler", f"{k8s_name(service)}-api")
        assert hpa["spec"]["maxReplicas"] <= partitions
