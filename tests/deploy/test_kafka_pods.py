"""Every pod that reaches Kafka (a service's, the operators' Jobs) does so as its own
KafkaUser, over TLS, with its password and the cluster's CA mounted from Secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.settings import Settings
from tests.deploy.support import (
    K8S,
    SERVICES,
    STRIMZI_CLUSTER,
    Document,
    documents,
    k8s_name,
    kafka_users,
    one,
    service_config,
    service_docs,
)


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
