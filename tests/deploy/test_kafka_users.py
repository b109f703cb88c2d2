"""The KafkaUsers: the file is the registry's, each service writes only its own topics and reads
what it consumes, the operators' users do only their job, all with SCRAM on the cluster."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from shared.events.consumer import dead_letter_topic
from shared.events.envelope import event_type, topic_of
from shared.events.kafka_access import kafka_user_manifest, platform_users
from shared.registry import DOWNSTREAM_SERVICES
from shared.registry import SERVICES as REGISTERED
from shared.settlement import APPROVED_TOPIC
from tests.deploy.support import (
    K8S,
    PLATFORM_TOPICS,
    SERVICES,
    STRIMZI_CLUSTER,
    USERS_FILE,
    Document,
    documents,
    k8s_name,
    kafka_users,
    render,
    schema_errors,
)

SERVICE_OPERATIONS = {"Describe", "Read", "Write"}
PERMIT_TOPIC = "residence_permit.permit.changed"


def acl_table(user: Document) -> dict[tuple[str, str], set[str]]:
    """(resource type, name) -> operations, every ACL allowing and literal."""
    table: dict[tuple[str, str], set[str]] = {}
    for acl in user["spec"]["authorization"]["acls"]:
        resource = acl["resource"]
        assert acl.get("type", "allow") == "allow"
        assert resource.get("patternType", "literal") == "literal", "never a prefix"
        assert "*" not in resource["name"]
        table.setdefault((resource["type"], resource["name"]), set()).update(acl["operations"])
    return table


def topics_with(user: Document, operation: str) -> set[str]:
    return {
        name
        for (kind, name), ops in acl_table(user).items()
        if kind == "topic" and operation in ops
    }


def groups_of(user: Document) -> set[str]:
    return {name for kind, name in acl_table(user) if kind == "group"}


def produced_topics(service: str) -> set[str]:
    """Written out again from the contract, not from the code under test: every service its
    audit chain's head (四(四)); residence permits their changes too (三(一)); the coordination
    office nothing else."""
    head = {f"{service}.audit.head"}
    if service == "coordination":
        return head
    if service == "residence_permit":
        return head | {"residence_permit.settlement.processed", PERMIT_TOPIC}
    return head | {APPROVED_TOPIC if service == "hukou" else f"{service}.settlement.processed"}


def consumed_topics(service: str) -> set[str]:
    reports = {f"{s}.settlement.processed" for s in DOWNSTREAM_SERVICES}
    if service == "hukou":
        return reports
    if (
        service == "coordination"
    ):  # 四(一): every settlement event; 三(一): the permits; 四(四): every audit head
        return reports | {APPROVED_TOPIC, PERMIT_TOPIC} | {f"{s}.audit.head" for s in SERVICES}
    return {APPROVED_TOPIC}


def read_dead_letters(service: str) -> set[str]:
    """Its own; the office every service's, each consumes something (四(三): its incidents)."""
    if service == "coordination":
        return {f"deadletter.{s}" for s in SERVICES}
    return {f"deadletter.{service}"}


def groups(service: str) -> set[str]:
    """Its own group, its dead letters' replayer, and the office's rebuild (from the start) and
    one group per consumer it reads the dead letters of (never the replayer's: see below)."""
    own = {service, f"deadletter-replayer.{service}"}
    if service != "coordination":
        return own
    return (
        own
        | {"rebuild.coordination"}
        | {f"incidents.coordination.{s}" for s in SERVICES}
        | {f"deadletter-replayer.{s}" for s in SERVICES}
    )


def acl_problems(users: dict[str, Document]) -> list[str]:
    """Where the KafkaUsers stray from the registry: each service writes only its own topics and
    reads only what it consumes, in its own groups; the operators' users do only their job."""
    problems = []
    event_topics = PLATFORM_TOPICS - {dead_letter_topic(s) for s in SERVICES}
    for service in SERVICES:
        name = f"luohu-{k8s_name(service)}"
        user = users.get(name)
        if user is None:
            problems.append(f"{service}: no KafkaUser {name}")
            continue
        own_dead_letters = dead_letter_topic(service)
        expected = {
            "Write": produced_topics(service) | {own_dead_letters},
            "Read": consumed_topics(service) | read_dead_letters(service),
        }
        for operation, topics in expected.items():
            if topics_with(user, operation) != topics:
                problems.append(f"{name} may {operation} {sorted(topics_with(user, operation))}")
        if groups_of(user) != groups(service):
            problems.append(f"{name} joins the groups {sorted(groups_of(user))}")
        extra = set().union(*acl_table(user).values()) - SERVICE_OPERATIONS
        if extra:
            problems.append(f"{name} may also {sorted(extra)}")
    writers: dict[str, set[str]] = {}
    for name, user in users.items():
        if name != "luohu-deadletters":
            for topic in topics_with(user, "Write") & event_topics:
                writers.setdefault(topic, set()).add(name)
    for topic in sorted(event_topics):
        producer = topic.split(".", 1)[0]
        if writers.get(topic) != {f"luohu-{k8s_name(producer)}"}:
            problems.append(f"{topic} is written by {sorted(writers.get(topic, set()))}")
    return problems


# ---- The KafkaUsers --------------------------------------------------------------------------


def test_the_kafka_users_file_is_what_the_registry_gives() -> None:
    """Regenerate it with `scripts/kafka-users.py` after a change to shared/registry.py."""
    written = documents(USERS_FILE)
    expected = [kafka_user_manifest(user) for user in platform_users()]
    assert written == expected, "deploy/k8s/kafka/kafka-users.yaml is stale"


def test_each_service_writes_only_its_own_topics_and_reads_what_it_consumes() -> None:
    assert acl_problems(kafka_users()) == []


@pytest.mark.parametrize(
    ("tamper", "found"),
    [
        # housing writing hukou's approvals: the attack of issue 11, refused by the broker
        (
            lambda users: users["luohu-housing"]["spec"]["authorization"]["acls"].append(
                {
                    "resource": {"type": "topic", "name": APPROVED_TOPIC, "patternType": "literal"},
                    "operations": ["Write"],
                }
            ),
            "hukou.settlement.approved is written by",
        ),
        (lambda users: users.pop("luohu-education"), "education: no KafkaUser"),
        (
            lambda users: users["luohu-pension"]["spec"]["authorization"]["acls"][0][
                "operations"
            ].append("Create"),
            "luohu-pension may also ['Create']",
        ),
        (
            lambda users: users["luohu-civil-affairs"]["spec"]["authorization"]["acls"].append(
                {"resource": {"type": "group", "name": "hukou"}, "operations": ["Read"]}
            ),
            "luohu-civil-affairs joins the groups",
        ),
    ],
)
def test_the_acl_check_catches_a_user_that_strays(tamper: Any, found: str) -> None:
    users = copy.deepcopy(kafka_users())
    tamper(users)
    assert any(found in problem for problem in acl_problems(users)), acl_problems(users)


def test_every_kafka_user_authenticates_with_scram_on_the_platform_cluster() -> None:
    users = kafka_users()
    assert len(users) == len(documents(USERS_FILE)), "no user twice"
    rendered = [d for d in render(K8S / "kafka") if d["kind"] == "KafkaUser"]
    assert {d["metadata"]["name"] for d in rendered} == set(users)
    for user in rendered:
        assert user["metadata"]["namespace"] == "kafka"
        assert user["metadata"]["labels"]["strimzi.io/cluster"] == STRIMZI_CLUSTER
        assert user["spec"]["authentication"] == {"type": "scram-sha-512"}
        assert user["spec"]["authorization"]["type"] == "simple"
        assert schema_errors(user) is None


def test_the_strimzi_schema_check_rejects_a_broken_kafka_user() -> None:
    user = kafka_users()["luohu-housing"]
    broken = copy.deepcopy(user)
    broken["spec"]["authorization"]["acls"][0]["operations"] = ["Writ"]
    assert schema_errors(broken) is not None
    broken = copy.deepcopy(user)
    broken["spec"]["authentication"] = {"type": "scram-sha-256"}  # Strimzi makes 512 only
    assert schema_errors(broken) is not None


def test_the_office_reads_the_replayers_offsets_but_cannot_join_their_groups() -> None:
    """Joining a replayer's group would rebalance an operator's replay: Describe (the committed
    offsets) only, but for its own replayer's."""
    office = acl_table(kafka_users()["luohu-coordination"])
    for service in SERVICES:
        expected = {"Describe", "Read"} if service == "coordination" else {"Describe"}
        assert office[("group", f"deadletter-replayer.{service}")] == expected
        assert office[("group", f"incidents.coordination.{service}")] == {"Read"}


def test_the_operators_users_create_topics_and_replay_dead_letters_only() -> None:
    users = kafka_users()
    topics = acl_table(users["luohu-topics"])
    assert {name for kind, name in topics} == PLATFORM_TOPICS
    assert all(
        kind == "topic" and ops == {"Create", "Describe"} for (kind, _), ops in topics.items()
    )

    replayer = users["luohu-deadletters"]
    dead_letters = {dead_letter_topic(s) for s in SERVICES}
    assert topics_with(replayer, "Read") == dead_letters
    assert topics_with(replayer, "Write") == PLATFORM_TOPICS - dead_letters
    assert groups_of(replayer) == {f"deadletter-replayer.{s}" for s in SERVICES}
    assert set().union(*acl_table(replayer).values()) <= SERVICE_OPERATIONS


def test_the_acls_cover_the_topics_the_code_uses() -> None:
    """The registry's own view (the produced and consumed event types) agrees with the file."""
    users = kafka_users()
    for service in REGISTERED:
        user = users[f"luohu-{k8s_name(service.name)}"]
        assert {topic_of(t) for t in service.produces} <= topics_with(user, "Write")
        assert {topic_of(t) for t in service.consumes} <= topics_with(user, "Read")
    assert topic_of(event_type("hukou", "settlement.approved")) == APPROVED_TOPIC
