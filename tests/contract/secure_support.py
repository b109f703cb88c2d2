"""The secure test broker of tests/contract/test_kafka_secure.py (scripts/kafka-secure.sh): its
users, granted as compose grants them, and the settings a service would reach it with."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from kafka.errors import NoError
from typer.testing import CliRunner

from shared.cli import app
from shared.events.kafka_access import password_variable, platform_users, user_name
from shared.settings import Settings
from tests.contract.support import unique


@dataclass(frozen=True)
class SecureBroker:
    """The SASL_SSL listener, the CA its certificate chains to, and the loopback listener whose
    clients are super users; every user's password, and the namespace of this test run."""

    bootstrap: str
    ca_file: Path
    admin_listener: str
    namespace: str
    passwords: Mapping[str, str]

    def settings(self, service: str, **overrides: Any) -> dict[str, Any]:
        """The Kafka settings of `service`'s user (or of the user so named), as fields."""
        user = service if service.startswith("luohu-") else user_name(service)
        return {
            "bus": "kafka",
            "kafka_bootstrap_servers": self.bootstrap,
            "kafka_namespace": self.namespace,
            "kafka_security_protocol": "SASL_SSL",
            "kafka_sasl_username": user,
            "kafka_sasl_password": self.passwords[user],
            "kafka_ssl_ca_file": self.ca_file,
            **overrides,
        }

    def luohu(self, *args: str, user: str) -> Result:
        """Run the `luohu` command as `user`, configured by the environment as a Job is."""
        variables = {
            f"LUOHU_{name.upper()}": str(value) for name, value in self.settings(user).items()
        }
        return CliRunner().invoke(app, list(args), env=variables)


def secure_broker() -> SecureBroker:
    """The broker `make test` starts for these tests, with every platform user granted its
    password and the ACLs deploy/k8s/kafka/kafka-users.yaml holds (`luohu topics grant`)."""
    bootstrap = os.environ.get("LUOHU_TEST_KAFKA_SECURE")
    if not bootstrap:
        pytest.skip("no secure Kafka broker: `make test` starts one (LUOHU_TEST_KAFKA_SECURE)")
    namespace = unique("secure") + "."
    users = platform_users(namespace=namespace)
    passwords = {user.name: secrets.token_urlsafe(24) for user in users}
    admin_listener = os.environ["LUOHU_TEST_KAFKA_SECURE_ADMIN"]
    granted = CliRunner().invoke(
        app,
        ["topics", "grant", f"--admin-listener={admin_listener}"],
        env={
            "LUOHU_KAFKA_NAMESPACE": namespace,
            **{password_variable(user): passwords[user.name] for user in users},
        },
    )
    assert granted.exit_code == 0, granted.output
    return SecureBroker(
        bootstrap=bootstrap,
        ca_file=Path(os.environ["LUOHU_TEST_KAFKA_SECURE_CA"]),
        admin_listener=admin_listener,
        namespace=namespace,
        passwords=passwords,
    )


def broker_acls(broker: SecureBroker) -> set[tuple[str, str, str, str]]:
    """The ACLs on the broker's topics and groups of this run: (principal, resource type as
    Strimzi writes it, name, operation), read through the super users' listener."""
    from kafka.admin import (
        ACLFilter,
        ACLOperation,
        ACLPermissionType,
        ACLResourcePatternType,
        KafkaAdminClient,
        ResourcePatternFilter,
        ResourceType,
    )

    admin = KafkaAdminClient(bootstrap_servers=broker.admin_listener, client_id="luohu-test-acls")
    try:
        acls, error = admin.describe_acls(
            ACLFilter(
                principal=None,
                host=None,
                operation=ACLOperation.ANY,
                permission_type=ACLPermissionType.ANY,
                resource_pattern=ResourcePatternFilter(
                    ResourceType.ANY, None, ACLResourcePatternType.ANY
                ),
            )
        )
    finally:
        admin.close()
    assert error is NoError, error
    return {
        (
            acl.principal,
            acl.resource_pattern.resource_type.name.lower(),
            acl.resource_pattern.resource_name,
            acl.operation.name.title(),
        )
        for acl in acls
        if acl.resource_pattern.resource_name.startswith(broker.namespace)
    }


def other_ca(folder: Path) -> Path:
    """The certificate of a CA that is not the broker's (a self-signed one, made now), PEM."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "not the broker's CA")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = folder / "other-ca.crt"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return path


def settings(fields: Mapping[str, Any]) -> Settings:
    """Settings of these fields, the rest the defaults (no .env file is read)."""
    return Settings(_env_file=None, **fields)  # type: ignore[call-arg]
