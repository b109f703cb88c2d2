"""What the Kafka security tests share: settings from what a test passes only, a bureau's
SCRAM-over-TLS settings with their files, and the client configuration they give."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from shared.settings import Settings


def settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def production(**values: Any) -> Settings:
    return settings(environment="production", bus="kafka", **values)


def expected_client_config(ca_file: Path) -> dict[str, Any]:
    return {
        "security_protocol": "SASL_SSL",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "luohu-housing",
        "sasl_plain_password": "s3cret-from-the-secret",
        "ssl_cafile": str(ca_file),
        "ssl_check_hostname": True,
        "ssl_certfile": None,
        "ssl_keyfile": None,
    }


class KafkaSecurityTests:
    """A base for the test classes: the shell's LUOHU_ variables cleared, and a bureau's
    SCRAM-over-TLS settings with the password and CA files they name."""

    @pytest.fixture(autouse=True)
    def _no_luohu_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Only what a test passes counts, whatever the shell running the tests exports."""
        for name in list(os.environ):
            if name.startswith("LUOHU_"):
                monkeypatch.delenv(name)

    @pytest.fixture
    def password_file(self, tmp_path: Path) -> Path:
        path = tmp_path / "password"
        path.write_text("s3cret-from-the-secret\n", encoding="utf-8")  # as a Secret key is mounted
        return path

    @pytest.fixture
    def ca_file(self, tmp_path: Path) -> Path:
        path = tmp_path / "ca.crt"
        path.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
        return path

    @pytest.fixture
    def sasl_ssl(self, password_file: Path, ca_file: Path) -> dict[str, Any]:
        """A bureau's settings on a Strimzi cluster: SCRAM over TLS, password and CA mounted."""
        return {
            "kafka_security_protocol": "SASL_SSL",
            "kafka_sasl_username": "luohu-housing",
            "kafka_sasl_password_file": password_file,
            "kafka_ssl_ca_file": ca_file,
        }
