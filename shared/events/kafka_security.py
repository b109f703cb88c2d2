"""How every Kafka client of the platform reaches the broker: TLS, and who it is (SASL/SCRAM).

One `KafkaSecurity` is made from the settings (`Settings.kafka_security`) and spread into each
client kafka-python builds (producer, consumer, admin client), so no client can be left on
PLAINTEXT while the others are not. Nothing here imports kafka-python: the settings build it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

SecurityProtocol = Literal["PLAINTEXT", "SSL", "SASL_SSL"]
SaslMechanism = Literal["SCRAM-SHA-512", "SCRAM-SHA-256"]


class KafkaSecurityError(ValueError):
    """The Kafka security settings cannot be used: the message names the setting."""


def read_secret_file(path: Path, setting: str) -> str:
    """A secret mounted as a file (a Kubernetes Secret key): its text without the final newline."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KafkaSecurityError(f"{setting}: cannot read {path}: {exc.strerror}") from exc
    secret = text.rstrip("\r\n")
    if not secret:
        raise KafkaSecurityError(f"{setting}: {path} is empty")
    return secret


def _readable_file(path: Path | None, setting: str) -> None:
    if path is not None and not path.is_file():
        raise KafkaSecurityError(f"{setting}: {path} is not a readable file")


@dataclass(frozen=True, kw_only=True)
class KafkaSecurity:
    """The transport and identity of a Kafka client. PLAINTEXT (the default) is the local test
    broker only; the settings refuse it in production."""

    protocol: SecurityProtocol = "PLAINTEXT"
    sasl_mechanism: SaslMechanism = "SCRAM-SHA-512"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    password_file: Path | None = None
    """Read again each time a client is built, so a rotated Secret is picked up."""
    ca_file: Path | None = None
    """The CA that signed the brokers' certificates (Strimzi's cluster CA); None: the system's."""
    cert_file: Path | None = None
    """The client's own certificate (mutual TLS), with its key in `key_file` or in the file."""
    key_file: Path | None = None
    check_hostname: bool = True

    @property
    def encrypted(self) -> bool:
        return self.protocol != "PLAINTEXT"

    def sasl_password(self) -> str:
        if self.password_file is not None:
            return read_secret_file(self.password_file, "LUOHU_KAFKA_SASL_PASSWORD_FILE")
        if self.password:
            return self.password
        raise KafkaSecurityError(
            "SASL_SSL needs LUOHU_KAFKA_SASL_PASSWORD or LUOHU_KAFKA_SASL_PASSWORD_FILE"
        )

    def check_files(self) -> None:
        """Fail now, naming the setting, if a file the clients will need cannot be read (a
        missing Secret mount); a client would otherwise fail on its first connection."""
        _readable_file(self.ca_file, "LUOHU_KAFKA_SSL_CA_FILE")
        _readable_file(self.cert_file, "LUOHU_KAFKA_SSL_CERT_FILE")
        _readable_file(self.key_file, "LUOHU_KAFKA_SSL_KEY_FILE")
        if self.protocol == "SASL_SSL":
            self.sasl_password()

    def client_config(self) -> dict[str, Any]:
        """The keyword arguments of KafkaProducer, KafkaConsumer and KafkaAdminClient alike."""
        config: dict[str, Any] = {"security_protocol": self.protocol}
        if not self.encrypted:
            return config
        config |= {
            "ssl_check_hostname": self.check_hostname,
            "ssl_cafile": str(self.ca_file) if self.ca_file else None,
            "ssl_certfile": str(self.cert_file) if self.cert_file else None,
            "ssl_keyfile": str(self.key_file) if self.key_file else None,
        }
        if self.protocol == "SASL_SSL":
            config |= {
                "sasl_mechanism": self.sasl_mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.sasl_password(),
            }
        return config


PLAINTEXT = KafkaSecurity()
