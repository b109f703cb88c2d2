"""Opens the configured bus engine: choosing one is configuration, not code."""

from __future__ import annotations

from shared.events.bus import Bus
from shared.settings import Settings


def open_bus(settings: Settings) -> Bus:
    if settings.bus == "embedded":
        from shared.events.embedded import EmbeddedBus

        return EmbeddedBus(settings.event_log_path)
    if settings.bus == "kafka":
        from shared.events.kafka import KafkaBus

        return KafkaBus(
            settings.kafka_bootstrap_servers,
            partitions=settings.kafka_partitions,
            replication_factor=settings.kafka_replication_factor,
            namespace=settings.kafka_namespace,
            security=settings.kafka_security(),
        )
    raise ValueError(f"unknown bus engine {settings.bus!r}")
