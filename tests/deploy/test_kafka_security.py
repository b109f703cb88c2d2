"""Kafka security in the deployment: the KafkaUsers' ACLs against the registry, and every pod
or compose container that reaches Kafka doing so as its own user, over TLS."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.events.consumer import dead_letter_topic
from shared.events.envelope import event_type, topic_of
from shared.events.kafka_access import kafka_user_manifest, password_variable, platform_users
from shared.registry import DOWNSTREAM_SERVICES
from shared.registry import SERVICES as REGISTERED
from shared.settings import Settings
from shared.settlement import APPROVED_TOPIC
from tests.deploy.support import (
    DEPLOY,
    K8S,
    PLATFORM_TOPICS,
    SERVICES,
    Document,
    documents,
    k8s_name,
    one,
    render,
    schema_errors,
    service_config,
    service_docs,
)

USERS_FILE = K8S / "kafka" / "kafka-users.yaml"
STRIMZI_CLUSTER = "luohu"  # its bootstrap Service is luohu-kafka-bootstrap
SERVICE_OPERATIONS = {"Describe", "Read", "Write"}


def kafka_users() -> dict[str, Document]:
    return {doc["metadata"]["name"]: doc for doc in documents(USERS_FILE)}


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


def produced_topic(service: str) -> str:
    """Written out again from the contract, not from the code under test."""
    return APPROVED_TOPIC if service == "hukou" else f"{service}.settlement.processed"


def consumed_topics(service: str) -> set[str]:
    if service == "hukou":
        return {f"{s}.settlement.processed" for s in DOWNSTREAM_SERVICES}
    return {APPROVED_TOPIC}


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
            "Write": {produced_topic(service), own_dead_letters},
            "Read": consumed_topics(service) | {own_dead_letters},
        }
        for operation, topics in expected.items():
            if topics_with(user, operation) != topics:
                problems.append(f"{name} may {operation} {sorted(topics_with(user, operation))}")
        if groups_of(user) != {service, f"deadletter-replayer.{service}"}:
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


# ---- The pods that reach Kafka ---------------------------------------------------------------


def mounted_secret(pod: Document, container: Document, path: str) -> tuple[str, str]:
    """The Secret and key a file path of the container comes from."""
    for mount in container["volumeMounts"]:
        folder = mount["mountPath"].rstrip("/") + "/"
        if path.startswith(folder):
            (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
            relative = path.removeprefix(folder)
            (item,) = [i for i in volume["secret"]["items"] if i["path"] == relative]
            assert mount.get("readOnly") is True
            return volume["secret"]["secretName"], item["key"]
    raise AssertionError(f"{path} is on no mounted volume")


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_reaches_kafka_as_its_own_user_over_tls(service: str) -> None:
    name = k8s_name(service)
    config = service_config(service)
    assert config["LUOHU_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["LUOHU_KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512"
    assert config["LUOHU_KAFKA_SASL_USERNAME"] == f"luohu-{name}"
    assert f"luohu-{name}" in kafka_users()
    assert "LUOHU_KAFKA_SASL_PASSWORD" not in config, "the password is a mounted file"

    deployment = one(service_docs(service), "Deployment", f"{name}-api")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    password = config["LUOHU_KAFKA_SASL_PASSWORD_FILE"]
    assert mounted_secret(pod, container, password) == (f"luohu-{name}", "password")
    ca = config["LUOHU_KAFKA_SSL_CA_FILE"]
    assert mounted_secret(pod, container, ca) == ("luohu-cluster-ca-cert", "ca.crt")
    (user_volume,) = [
        v for v in pod["volumes"] if v.get("secret", {}).get("secretName") == f"luohu-{name}"
    ]
    assert user_volume["secret"]["defaultMode"] == 0o440
    assert pod["securityContext"]["fsGroup"] == 10001, "the group reads the password"


@pytest.mark.parametrize("service", SERVICES)
def test_the_rendered_settings_start_in_production(service: str, tmp_path: Path) -> None:
    """The ConfigMap as the service reads it passes the production checks (no PLAINTEXT)."""
    config = service_config(service)
    loaded = Settings(
        _env_file=None,  # type: ignore[call-arg]
        **{key.removeprefix("LUOHU_").lower(): value for key, value in config.items()},
    )
    assert loaded.environment == "production"
    assert loaded.kafka_security_protocol == "SASL_SSL"
    with pytest.raises(ValueError, match="PLAINTEXT is refused in production"):
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            **{
                key.removeprefix("LUOHU_").lower(): value
                for key, value in config.items()
                if not key.startswith("LUOHU_KAFKA_S")
            },
        )


def job_container(path: Path) -> tuple[Document, Document]:
    (job,) = documents(path)
    pod = job["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    return pod, container


@pytest.mark.parametrize(
    ("manifest", "user"),
    [("topics-job.yaml", "luohu-topics"), ("deadletters-replay-job.yaml", "luohu-deadletters")],
)
def test_the_operators_jobs_reach_kafka_as_their_own_user(manifest: str, user: str) -> None:
    pod, container = job_container(K8S / "kafka" / manifest)
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["LUOHU_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert env["LUOHU_KAFKA_SASL_USERNAME"] == user
    assert user in kafka_users()
    assert mounted_secret(pod, container, env["LUOHU_KAFKA_SASL_PASSWORD_FILE"]) == (
        user,
        "password",
    )
    assert mounted_secret(pod, container, env["LUOHU_KAFKA_SSL_CA_FILE"]) == (
        "luohu-cluster-ca-cert",
        "ca.crt",
    )
    assert (
        env["LUOHU_KAFKA_BOOTSTRAP_SERVERS"]
        == service_config("hukou")["LUOHU_KAFKA_BOOTSTRAP_SERVERS"]
    )
    assert env["LUOHU_KAFKA_BOOTSTRAP_SERVERS"].startswith(f"{STRIMZI_CLUSTER}-kafka-bootstrap.")


def test_the_replay_job_is_created_by_hand_not_applied_with_the_topics() -> None:
    (kustomization,) = documents(K8S / "kafka" / "kustomization.yaml")
    assert "deadletters-replay-job.yaml" not in kustomization["resources"]
    assert "kafka-users.yaml" in kustomization["resources"]


# ---- compose ---------------------------------------------------------------------------------


COMPOSE = DEPLOY / "compose.yaml"


def compose_services() -> dict[str, Document]:
    services: dict[str, Document] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    return services


def required_variable(value: str) -> str:
    """`${NAME:?message}` -> NAME; anything else fails."""
    match = re.fullmatch(r"\$\{(\w+):\?[^}]*\}", value)
    assert match, f"{value!r} is not a required variable"
    return match.group(1)


def interpolated(value: str) -> str:
    """The value as compose gives it: `${X:-default}` its default, `${X:?...}` a secret."""
    value = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", value)
    return re.sub(r"\$\{\w+:\?[^}]*\}", "s" * 48, value)


def ca_volume_mounted(container: Document, path: str) -> None:
    folders = {
        volume.split(":")[1].rstrip("/") + "/": volume.split(":")[0]
        for volume in container["volumes"]
    }
    assert any(
        path.startswith(folder) and source == "kafka-tls" for folder, source in folders.items()
    )


@pytest.mark.parametrize("service", SERVICES)
def test_compose_services_reach_kafka_as_their_own_user_over_tls(service: str) -> None:
    services = compose_services()
    name = k8s_name(service)
    for container in (services[name], services[f"migrate-{name}"]):
        environment = container["environment"]
        assert environment["LUOHU_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
        assert environment["LUOHU_KAFKA_SASL_USERNAME"] == f"luohu-{name}"
        password = required_variable(environment["LUOHU_KAFKA_SASL_PASSWORD"])
        assert password == f"{service.upper()}_KAFKA_PASSWORD"
        ca_volume_mounted(container, environment["LUOHU_KAFKA_SSL_CA_FILE"])
        settings = {
            key.removeprefix("LUOHU_").lower(): interpolated(str(value))
            for key, value in environment.items()
        }
        loaded = Settings(_env_file=None, **settings)  # type: ignore[call-arg]
        assert loaded.environment == "production"  # and so PLAINTEXT would be refused


def test_compose_broker_speaks_in_clear_on_its_loopback_only() -> None:
    kafka = compose_services()["kafka"]["environment"]
    protocols = dict(p.split(":") for p in kafka["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(","))
    listeners = [
        re.fullmatch(r"(\w+)://([^:]*):(\d+)", item) for item in kafka["KAFKA_LISTENERS"].split(",")
    ]
    reachable = set()
    for listener in listeners:
        assert listener, kafka["KAFKA_LISTENERS"]
        name, host, _ = listener.groups()
        if protocols[name] == "PLAINTEXT":
            assert host == "127.0.0.1", f"{name} is in clear: loopback only"
        else:
            reachable.add(protocols[name])
    assert reachable == {"SASL_SSL"}
    assert kafka["KAFKA_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"
    assert kafka["KAFKA_AUTHORIZER_CLASS_NAME"].endswith("StandardAuthorizer")
    assert kafka["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
    assert kafka["KAFKA_SUPER_USERS"] == "User:ANONYMOUS"  # the loopback listeners' clients
    advertised = kafka["KAFKA_ADVERTISED_LISTENERS"].split(",")
    assert "SASL_SSL://kafka:9092" in advertised
    topics = compose_services()["kafka-topics"]["environment"]
    assert topics["LUOHU_KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"


def test_compose_gives_every_platform_user_its_password_and_acls() -> None:
    services = compose_services()
    users = services["kafka-users"]
    assert users["network_mode"] == "service:kafka", "the admin listener is the broker's loopback"
    assert users["command"][:3] == ["luohu", "topics", "grant"]
    assert {required_variable(v) for v in users["environment"].values()} == {
        password_variable(u) for u in platform_users()
    }
    assert services["kafka-topics"]["depends_on"] == {
        "kafka-users": {"condition": "service_completed_successfully"}
    }
    topics = services["kafka-topics"]["environment"]
    assert topics["LUOHU_KAFKA_SASL_USERNAME"] == "luohu-topics"
    assert required_variable(topics["LUOHU_KAFKA_SASL_PASSWORD"]) == "TOPICS_KAFKA_PASSWORD"
    assert services["kafka"]["depends_on"] == {
        "kafka-tls": {"condition": "service_completed_successfully"}
    }
    assert (DEPLOY / "kafka" / "compose-tls.sh").exists()
