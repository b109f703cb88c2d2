"""Kafka in compose: each service connects as its own user over TLS, the broker speaks in clear
on its loopback only, and every platform user gets its password and ACLs."""

from __future__ import annotations

import re

import pytest
import yaml

from shared.events.kafka_access import password_variable, platform_users
from shared.settings import Settings
from tests.deploy.support import DEPLOY, SERVICES, Document, k8s_name

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
