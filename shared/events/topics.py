"""The platform's Kafka topics, created from the registry with their replication and retention.

Auto-creation is off on a production broker: every topic exists before any service starts,
with the replication the cluster can give (`min.insync.replicas` below the replication factor,
so one broker can be down) and a retention per kind: events long enough for a consumer that was
down to catch up, dead letters until someone replays them.
"""

from __future__ import annotations

from collections.abc import Mapping

from kafka.admin import KafkaAdminClient

from shared.events.consumer import dead_letter_topic
from shared.events.kafka import BOOTSTRAP_TIMEOUT_MS, create_missing_topics
from shared.events.kafka_security import PLAINTEXT, KafkaSecurity
from shared.registry import SERVICES, topics

KEEP_FOREVER = -1


def platform_topics(
    *, event_retention_ms: int, dead_letter_retention_ms: int = KEEP_FOREVER
) -> dict[str, int]:
    """Every topic the platform uses, with its retention: the registry's events, then one
    dead-letter topic per service."""
    return {
        **dict.fromkeys(topics(), event_retention_ms),
        **{dead_letter_topic(s.name): dead_letter_retention_ms for s in SERVICES},
    }


def create_topics(
    bootstrap_servers: str,
    retention_ms: Mapping[str, int],
    *,
    partitions: int,
    replication_factor: int,
    min_insync_replicas: int,
    namespace: str = "",
    security: KafkaSecurity = PLAINTEXT,
) -> list[str]:
    """Create the topics that do not exist yet (prefixed with `namespace`); the names created."""
    admin = KafkaAdminClient(
        **security.client_config(),
        bootstrap_servers=bootstrap_servers,
        client_id="luohu-topics",
        bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS,  # a refused login fails in 10 s, not 30
    )
    try:
        in_sync = str(min_insync_replicas)
        configs = {
            namespace + topic: {"min.insync.replicas": in_sync, "retention.ms": str(retention)}
            for topic, retention in retention_ms.items()
        }
        created: list[str] = create_missing_topics(
            admin, configs, partitions=partitions, replication_factor=replication_factor
        )
        return created
    finally:
        admin.close()
