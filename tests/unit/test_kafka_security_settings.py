"""Kafka transport security in the settings: production refuses PLAINTEXT, the password file
is read (and read again), and settings that would be ignored are refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from shared.events.engines import open_bus
from shared.events.kafka_security import KafkaSecurity, KafkaSecurityError
from tests.unit.kafka_security_support import (
    KafkaSecurityTests,
    expected_client_config,
    production,
    settings,
)


class TestProductionRefusesPlaintext(KafkaSecurityTests):
    def test_production_on_kafka_refuses_plaintext(self) -> None:
        with pytest.raises(ValidationError, match="PLAINTEXT is refused in production"):
            production()

    def test_production_on_kafka_starts_with_sasl_ssl(self, sasl_ssl: dict[str, Any]) -> None:
        assert production(**sasl_ssl).kafka_security().protocol == "SASL_SSL"

    def test_production_refuses_tls_without_a_client_identity(self, ca_file: Path) -> None:
        with pytest.raises(ValidationError, match="could not tell which bureau"):
            production(kafka_security_protocol="SSL", kafka_ssl_ca_file=ca_file)

    def test_production_accepts_mutual_tls(self, tmp_path: Path, ca_file: Path) -> None:
        cert, key = tmp_path / "user.crt", tmp_path / "user.key"
        cert.write_text("cert", encoding="utf-8")
        key.write_text("key", encoding="utf-8")
        config = (
            production(
                kafka_security_protocol="SSL",
                kafka_ssl_ca_file=ca_file,
                kafka_ssl_cert_file=cert,
                kafka_ssl_key_file=key,
            )
            .kafka_security()
            .client_config()
        )
        assert config["security_protocol"] == "SSL"
        assert (config["ssl_certfile"], config["ssl_keyfile"]) == (str(cert), str(key))
        assert "sasl_mechanism" not in config

    def test_production_refuses_skipping_the_hostname_check(self, sasl_ssl: dict[str, Any]) -> None:
        with pytest.raises(ValidationError, match="CHECK_HOSTNAME=false is refused"):
            production(**sasl_ssl, kafka_ssl_check_hostname=False)

    def test_the_embedded_bus_and_the_test_broker_keep_plaintext(self) -> None:
        production_embedded = settings(environment="production")
        assert production_embedded.kafka_security().client_config() == {
            "security_protocol": "PLAINTEXT"
        }
        assert settings(bus="kafka").kafka_security_protocol == "PLAINTEXT"

    def test_the_environment_variables_are_the_settings(
        self, monkeypatch: pytest.MonkeyPatch, password_file: Path
    ) -> None:
        for name, value in {
            "LUOHU_ENVIRONMENT": "production",
            "LUOHU_BUS": "kafka",
            "LUOHU_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "LUOHU_KAFKA_SASL_MECHANISM": "SCRAM-SHA-256",
            "LUOHU_KAFKA_SASL_USERNAME": "luohu-pension",
            "LUOHU_KAFKA_SASL_PASSWORD_FILE": str(password_file),
        }.items():
            monkeypatch.setenv(name, value)
        config = settings().kafka_security().client_config()
        assert config["sasl_mechanism"] == "SCRAM-SHA-256"
        assert config["sasl_plain_username"] == "luohu-pension"
        assert config["sasl_plain_password"] == "s3cret-from-the-secret"
        assert config["ssl_cafile"] is None  # the system's trust store


class TestPassword(KafkaSecurityTests):
    def test_the_password_file_is_read_without_its_newline(
        self, sasl_ssl: dict[str, Any], ca_file: Path
    ) -> None:
        assert production(**sasl_ssl).kafka_security().client_config() == (
            expected_client_config(ca_file)
        )

    def test_a_rotated_password_file_is_read_again(
        self, sasl_ssl: dict[str, Any], password_file: Path
    ) -> None:
        security = production(**sasl_ssl).kafka_security()
        password_file.write_text("rotated\n", encoding="utf-8")
        assert security.client_config()["sasl_plain_password"] == "rotated"

    @pytest.mark.parametrize(
        ("setting", "absent", "says", "variable"),
        [
            pytest.param(
                "kafka_sasl_password_file",
                "absent",
                "LUOHU_KAFKA_SASL_PASSWORD_FILE: cannot",
                "LUOHU_KAFKA_SASL_PASSWORD_FILE",
                id="password",
            ),
            pytest.param(
                "kafka_ssl_ca_file",
                "absent.crt",
                "LUOHU_KAFKA_SSL_CA_FILE",
                "LUOHU_KAFKA_SSL_CA_FILE",
                id="ca",
            ),
        ],
    )
    def test_a_missing_file_stops_the_start_naming_the_setting(
        self,
        sasl_ssl: dict[str, Any],
        tmp_path: Path,
        setting: str,
        absent: str,
        says: str,
        variable: str,
    ) -> None:
        loaded = production(**{**sasl_ssl, setting: tmp_path / absent})
        with pytest.raises(KafkaSecurityError, match=says):
            loaded.kafka_security()
        with pytest.raises(KafkaSecurityError, match=variable):
            open_bus(loaded)

    def test_an_empty_password_file_is_refused(
        self, sasl_ssl: dict[str, Any], password_file: Path
    ) -> None:
        password_file.write_text("\n", encoding="utf-8")
        with pytest.raises(KafkaSecurityError, match="is empty"):
            production(**sasl_ssl).kafka_security()

    def test_a_literal_password_works_and_is_never_shown(self, ca_file: Path) -> None:
        loaded = settings(
            bus="kafka",
            kafka_security_protocol="SASL_SSL",
            kafka_sasl_username="luohu-education",
            kafka_sasl_password="literal-s3cret",
            kafka_ssl_ca_file=ca_file,
        )
        security = loaded.kafka_security()
        assert security.client_config()["sasl_plain_password"] == "literal-s3cret"
        assert "literal-s3cret" not in repr(loaded)
        assert "literal-s3cret" not in repr(security)

    def test_sasl_needs_a_username_and_exactly_one_password(self, sasl_ssl: dict[str, Any]) -> None:
        with pytest.raises(ValidationError, match="needs LUOHU_KAFKA_SASL_USERNAME"):
            settings(**{**sasl_ssl, "kafka_sasl_username": None})
        with pytest.raises(ValidationError, match="exactly one of"):
            settings(**{**sasl_ssl, "kafka_sasl_password_file": None})
        with pytest.raises(ValidationError, match="exactly one of"):
            settings(**sasl_ssl, kafka_sasl_password="both")


class TestSettingsThatWouldBeIgnored(KafkaSecurityTests):
    def test_credentials_beside_plaintext_are_refused(self, password_file: Path) -> None:
        with pytest.raises(ValidationError, match=r"LUOHU_KAFKA_SASL_USERNAME.*is PLAINTEXT"):
            settings(kafka_sasl_username="luohu-housing")
        with pytest.raises(ValidationError, match="LUOHU_KAFKA_SSL_CA_FILE set"):
            settings(kafka_ssl_ca_file=password_file)

    def test_sasl_credentials_beside_tls_alone_are_refused(self, password_file: Path) -> None:
        with pytest.raises(ValidationError, match=r"LUOHU_KAFKA_SASL_PASSWORD_FILE set.*is SSL"):
            settings(kafka_security_protocol="SSL", kafka_sasl_password_file=password_file)

    def test_a_key_without_its_certificate_is_refused(self, password_file: Path) -> None:
        with pytest.raises(ValidationError, match="KEY_FILE is set without"):
            settings(kafka_security_protocol="SSL", kafka_ssl_key_file=password_file)


def test_plaintext_security_gives_no_tls_or_sasl_setting() -> None:
    assert KafkaSecurity().client_config() == {"security_protocol": "PLAINTEXT"}
