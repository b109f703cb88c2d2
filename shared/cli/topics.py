"""`luohu topics`: the platform's Kafka topics, and its Kafka users' passwords and ACLs."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from shared.settings import Settings

topics_app = typer.Typer(help="The platform's Kafka topics.", no_args_is_help=True)


EVENT_RETENTION_MS = 30 * 24 * 3600 * 1000  # a consumer may be down 30 days and catch up


@topics_app.command("list")
def topics_list() -> None:
    """Print every topic the platform uses (the registry's events, then the dead letters)."""
    from shared.events.topics import platform_topics

    for topic in platform_topics(event_retention_ms=EVENT_RETENTION_MS):
        typer.echo(topic)


@topics_app.command("create")
def topics_create(
    replication_factor: Annotated[int, typer.Option(min=1)] = 1,
    min_insync_replicas: Annotated[int, typer.Option(min=1)] = 1,
    event_retention_ms: Annotated[
        int | None,
        typer.Option(min=-1, help="Default: LUOHU_EVENT_RETENTION_DAYS or LUOHU_RETENTION_DAYS"),
    ] = None,
    dead_letter_retention_ms: Annotated[
        int, typer.Option(min=-1, help="-1: kept until `luohu deadletters replay`")
    ] = -1,
) -> None:
    """Create every topic the platform uses on LUOHU_KAFKA_BOOTSTRAP_SERVERS, with
    LUOHU_KAFKA_PARTITIONS partitions (a one-off before the services start)."""
    from shared.events.topics import create_topics, platform_topics

    if min_insync_replicas > replication_factor:
        raise typer.BadParameter(
            "cannot exceed --replication-factor", param_hint="--min-insync-replicas"
        )
    from shared.retention import RetentionPolicy

    settings = Settings()
    if event_retention_ms is None:  # the same days `luohu prune` keeps the embedded log
        event_retention_ms = RetentionPolicy.from_settings(settings).event_retention_ms
    wanted = platform_topics(
        event_retention_ms=event_retention_ms, dead_letter_retention_ms=dead_letter_retention_ms
    )
    created = create_topics(
        settings.kafka_bootstrap_servers,
        wanted,
        partitions=settings.kafka_partitions,
        replication_factor=replication_factor,
        min_insync_replicas=min_insync_replicas,
        namespace=settings.kafka_namespace,
        security=settings.kafka_security(),
    )
    typer.echo(f"{len(created)} topics created, {len(wanted) - len(created)} existed already")


@topics_app.command("grant")
def topics_grant(
    admin_listener: Annotated[
        str,
        typer.Option(
            help="The broker's loopback PLAINTEXT listener, whose clients are super users"
        ),
    ] = "127.0.0.1:9094",
) -> None:
    """Give every Kafka user of the platform its SCRAM-SHA-512 password and its ACLs (what
    Strimzi does from deploy/k8s/kafka/kafka-users.yaml), on compose's broker: run inside the
    broker's network namespace. Each password is read from <USER>_KAFKA_PASSWORD."""
    from kafka.admin import KafkaAdminClient

    from shared.events.kafka import BOOTSTRAP_TIMEOUT_MS
    from shared.events.kafka_access import grant, password_variable, platform_users
    from shared.events.kafka_security import PLAINTEXT

    host = admin_listener.rpartition(":")[0].strip("[]")
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise typer.BadParameter(
            "only a loopback listener: its clients are not authenticated",
            param_hint="--admin-listener",
        )
    users = platform_users(namespace=Settings().kafka_namespace)
    missing = [password_variable(u) for u in users if not os.environ.get(password_variable(u))]
    if missing:
        raise typer.BadParameter(f"set {', '.join(missing)}", param_hint="environment")
    passwords = {u.name: os.environ[password_variable(u)] for u in users}
    # Loopback only (checked above): this listener is the broker's own, never the network's.
    admin = KafkaAdminClient(
        **PLAINTEXT.client_config(),
        bootstrap_servers=admin_listener,
        client_id="luohu-grant",
        bootstrap_timeout_ms=BOOTSTRAP_TIMEOUT_MS,
    )
    try:
        granted = grant(admin, users, passwords)
    finally:
        admin.close()
    typer.echo(f"{len(users)} Kafka users, {granted} ACLs granted")
