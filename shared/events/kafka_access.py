"""Who may do what on the platform's Kafka cluster: one SCRAM user per service, its ACLs derived
from the registry, so no service can write a topic it does not own.

A service writes only the topics of the events it produces (`<service>.settlement.processed`;
hukou: `hukou.settlement.approved`) and its own dead letters (`deadletter.<service>`); it reads
the topics of the events it consumes, in its own consumer group (the service's name), and its
own dead letters (`luohu deadletters list`). The coordination office (the one service that
observes settlements) also reads every consumer's dead letters, to list them with their age
among its incidents (四(三)): in a group of its own per consumer that never commits, and
fetching the replayer's committed offsets (Describe, which cannot join that group). Two users
belong to the platform's operators, not to a bureau: `luohu-topics` creates the topics (the
topics Job) and `luohu-deadletters` replays dead letters to the topic they came from (`luohu
deadletters replay`); it cannot forge an event, since a consumer applies only what the event's
producer signed.

`deploy/k8s/kafka/kafka-users.yaml` holds these users as Strimzi KafkaUsers
(`scripts/kafka-users.py` writes it; tests/deploy checks it against this module).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from shared.events.consumer import dead_letter_topic, rebuild_group
from shared.events.deadletters import incidents_group, replayer_group
from shared.events.envelope import topic_of
from shared.registry import SERVICES, ServiceEntry
from shared.registry import topics as event_topics

ResourceType = Literal["topic", "group"]
Operation = Literal["Read", "Write", "Create", "Describe"]

STRIMZI_CLUSTER = "luohu"
"""The Strimzi Kafka cluster's name: its bootstrap Service is `luohu-kafka-bootstrap`."""
STRIMZI_API_VERSION = "kafka.strimzi.io/v1beta2"
TOPICS_USER = "luohu-topics"
DEAD_LETTERS_USER = "luohu-deadletters"


@dataclass(frozen=True)
class Grant:
    """Operations allowed on one topic or group, named exactly (never a prefix or `*`)."""

    resource: ResourceType
    name: str
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class KafkaUser:
    name: str
    """The SASL username, and the KafkaUser's (and its Secret's) name."""
    grants: tuple[Grant, ...]
    service: str | None = None


def user_name(service: str) -> str:
    """`medical_insurance` -> `luohu-medical-insurance` (Kubernetes names take no `_`)."""
    return "luohu-" + service.replace("_", "-")


def _grants(
    namespace: str, entries: Iterable[tuple[ResourceType, str, tuple[Operation, ...]]]
) -> tuple[Grant, ...]:
    """One grant per resource, its operations merged in a fixed order; names get the namespace
    (the prefix of every topic and group when environments share a cluster)."""
    merged: dict[tuple[ResourceType, str], set[Operation]] = {}
    for resource, name, operations in entries:
        merged.setdefault((resource, namespace + name), set()).update(operations)
    order: tuple[Operation, ...] = ("Create", "Describe", "Read", "Write")
    return tuple(
        Grant(resource, name, tuple(op for op in order if op in operations))
        for (resource, name), operations in merged.items()
    )


def service_user(service: ServiceEntry, *, namespace: str = "") -> KafkaUser:
    own_dead_letters = dead_letter_topic(service.name)
    entries: list[tuple[ResourceType, str, tuple[Operation, ...]]] = [
        *(("topic", topic_of(t), ("Describe", "Write")) for t in service.produces),
        ("topic", own_dead_letters, ("Describe", "Write")),
        *(("topic", topic_of(t), ("Describe", "Read")) for t in service.consumes),
        ("group", service.name, ("Read",)),
        # `luohu deadletters list` from the service's own pod reads them without committing.
        ("topic", own_dead_letters, ("Describe", "Read")),
        ("group", replayer_group(service.name), ("Read",)),
    ]
    if service.observes_settlements:  # `luohu coordination rebuild` reads the log again
        entries.append(("group", rebuild_group(service.name), ("Read",)))
        for consumer in (s.name for s in SERVICES if s.consumes):  # GET /v1/incidents
            entries += [
                ("topic", dead_letter_topic(consumer), ("Describe", "Read")),
                ("group", replayer_group(consumer), ("Describe",)),
                ("group", incidents_group(service.name, consumer), ("Read",)),
            ]
    return KafkaUser(
        name=user_name(service.name),
        grants=_grants(namespace, entries),
        service=service.name,
    )


def topics_user(*, namespace: str = "") -> KafkaUser:
    every_topic = [*event_topics(), *(dead_letter_topic(s.name) for s in SERVICES)]
    return KafkaUser(
        name=TOPICS_USER,
        grants=_grants(namespace, (("topic", t, ("Create", "Describe")) for t in every_topic)),
    )


def dead_letters_user(*, namespace: str = "") -> KafkaUser:
    entries: list[tuple[ResourceType, str, tuple[Operation, ...]]] = []
    for service in SERVICES:
        entries += [
            ("topic", dead_letter_topic(service.name), ("Describe", "Read")),
            ("group", replayer_group(service.name), ("Read",)),
            *(("topic", topic_of(t), ("Describe", "Write")) for t in service.consumes),
        ]
    return KafkaUser(
        name=DEAD_LETTERS_USER,
        grants=_grants(namespace, entries),
    )


def platform_users(*, namespace: str = "") -> tuple[KafkaUser, ...]:
    """Every Kafka user of the platform: one per service, in the registry's order, then the
    operators' two."""
    return (
        *(service_user(s, namespace=namespace) for s in SERVICES),
        topics_user(namespace=namespace),
        dead_letters_user(namespace=namespace),
    )


def kafka_user_manifest(user: KafkaUser, *, cluster: str = STRIMZI_CLUSTER) -> dict[str, Any]:
    """The Strimzi KafkaUser: SCRAM-SHA-512 (the User Operator makes its password Secret, of the
    same name) and simple authorization with exactly the user's grants."""
    return {
        "apiVersion": STRIMZI_API_VERSION,
        "kind": "KafkaUser",
        "metadata": {
            "name": user.name,
            "labels": {
                "strimzi.io/cluster": cluster,
                "app.kubernetes.io/component": "kafka-user",
                **({"luohu.shaoguan.gov.cn/service": user.service} if user.service else {}),
            },
        },
        "spec": {
            "authentication": {"type": "scram-sha-512"},
            "authorization": {
                "type": "simple",
                "acls": [
                    {
                        "resource": {"type": g.resource, "name": g.name, "patternType": "literal"},
                        "operations": list(g.operations),
                    }
                    for g in user.grants
                ],
            },
        },
    }


def password_variable(user: KafkaUser) -> str:
    """The variable compose gives a user's password in: `luohu-medical-insurance` ->
    MEDICAL_INSURANCE_KAFKA_PASSWORD (its database password is MEDICAL_INSURANCE_DB_PASSWORD)."""
    return user.name.removeprefix("luohu-").replace("-", "_").upper() + "_KAFKA_PASSWORD"


def grant(admin: Any, users: Iterable[KafkaUser], passwords: Mapping[str, str]) -> int:
    """What Strimzi's User Operator does from kafka-users.yaml, for a broker without it: each
    user's SCRAM-SHA-512 credential (`passwords` by user name) and its ACLs, through an admin
    client allowed to (a super user). Both are idempotent; the number of ACLs granted."""
    from kafka.admin import (
        ACL,
        ACLOperation,
        ACLPermissionType,
        ACLResourcePatternType,
        ResourcePattern,
        UserScramCredentialUpsertion,
    )
    from kafka.admin import ResourceType as KafkaResourceType

    users = list(users)
    failed = {
        user: error
        for user, error in admin.alter_user_scram_credentials(
            [
                UserScramCredentialUpsertion(u.name, "SCRAM-SHA-512", passwords[u.name])
                for u in users
            ]
        ).items()
        if error
    }
    if failed:
        raise RuntimeError(f"kafka: SCRAM credentials refused: {failed}")
    acls = [
        ACL(
            principal=f"User:{user.name}",
            host="*",
            operation=ACLOperation[operation.upper()],
            permission_type=ACLPermissionType.ALLOW,
            resource_pattern=ResourcePattern(
                KafkaResourceType[g.resource.upper()], g.name, ACLResourcePatternType.LITERAL
            ),
        )
        for user in users
        for g in user.grants
        for operation in g.operations
    ]
    result = admin.create_acls(acls)
    if result["failed"]:
        raise RuntimeError(f"kafka: ACLs refused: {result['failed']}")
    return len(acls)
