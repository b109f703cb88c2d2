"""Process settings from the environment (prefix LUOHU_), one object per service process."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import clock
from shared.events.kafka_security import KafkaSecurity, SaslMechanism, SecurityProtocol

MAX_TOKEN_LIFETIME_SECONDS = 8 * 3600  # the longest a department token may be valid


class Settings(BaseSettings):
    """Everything a service process reads from its environment.

    The defaults are the embedded engine on a laptop: SQLite files and the event log
    under `var/`, every service's signing key under `var/keys/`. Production sets
    `LUOHU_ENVIRONMENT=production`, the service's own signing key and the trust bundle, a
    PostgreSQL URL and the Kafka bus, reached over TLS as the service's own Kafka user.
    """

    # Inputs stay out of error texts: a refused setting would print the secret beside it.
    model_config = SettingsConfigDict(
        env_prefix="LUOHU_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str | None = None
    bus: Literal["embedded", "kafka"] = "embedded"
    bus_path: Path | None = None
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    kafka_partitions: int = 6
    kafka_replication_factor: int = 1
    kafka_namespace: str = ""  # prefix of topics and groups, for environments sharing a cluster
    # Signing keys (shared/keys.py). Development: one folder of every key, made on first use
    # (default <data_dir>/keys). Production: the service's own key and the bundle, both needed.
    keys_dir: Path | None = None
    signing_key_file: Path | None = None
    # During a rotation, the key it replaced, until retired: what was sealed to it still opens.
    previous_signing_key_file: Path | None = None
    trust_bundle_file: Path | None = None
    token_lifetime_seconds: int = Field(
        default=MAX_TOKEN_LIFETIME_SECONDS, gt=0, le=MAX_TOKEN_LIFETIME_SECONDS
    )
    # The console's development sign-in (services/coordination/console/session.py): an official
    # picks a department whose key is on this machine. `luohu run` turns it on; in production
    # the city's single sign-on gateway sends each official's department token instead.
    console_dev_signin: bool = False
    # Where the console reaches each department's API (`LUOHU_SERVICE_URLS`, a JSON object of
    # service name -> base URL); a service left out is http://127.0.0.1:<its port + offset>.
    service_urls: dict[str, str] = {}
    # How every Kafka client reaches the broker (shared/events/kafka_security.py). PLAINTEXT is
    # the local test broker's; production refuses it. A bureau's SCRAM password is best given
    # as a file (a mounted Secret), read again whenever a client is built.
    kafka_security_protocol: SecurityProtocol = "PLAINTEXT"
    kafka_sasl_mechanism: SaslMechanism = "SCRAM-SHA-512"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_sasl_password_file: Path | None = None
    kafka_ssl_ca_file: Path | None = None  # the brokers' CA (Strimzi's cluster CA certificate)
    kafka_ssl_cert_file: Path | None = None  # mutual TLS: the client's certificate
    kafka_ssl_key_file: Path | None = None  # and its private key, unless in the certificate file
    kafka_ssl_check_hostname: bool = True
    relay_interval_seconds: float = 0.2
    relay_batch_size: int = 500
    consumer_batch_size: int = 200
    consumer_max_attempts: int = 5
    consumer_retry_backoff_seconds: float = 0.2
    parameters_poll_seconds: float = 5.0  # how often a parameter file is looked at for changes
    # How often the audit chain's head is published to the coordination office, when it moved
    # (四(四), shared/audit_heads.py).
    audit_head_interval_seconds: float = Field(default=300.0, gt=0)
    run_migrations_on_start: bool = True
    start_workers: bool = True
    log_level: str = "INFO"
    otlp_endpoint: str | None = None  # e.g. http://collector:4318/v1/traces; off when unset
    port_offset: int = 0  # added to the contract's ports, to run a second platform beside one
    # Whose calendar dates are: Shaoguan's (shared.clock reads it once per process).
    timezone: str = clock.DEFAULT_TIMEZONE
    # Retention (`luohu prune`, docs/operations.md "Retention"): days in Shaoguan's calendar
    # that sent outbox rows, inbox entries, Idempotency-Key answers and the event log are kept
    # (the same figure sets the Kafka topics' retention.ms). Each kind may differ from it.
    retention_days: int = Field(default=30, ge=1)
    outbox_retention_days: int | None = Field(default=None, ge=1)
    inbox_retention_days: int | None = Field(default=None, ge=1)
    idempotency_retention_days: int | None = Field(default=None, ge=1)
    event_retention_days: int | None = Field(default=None, ge=1)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone") from exc
        return value

    @model_validator(mode="after")
    def _inbox_outlasts_the_event_log(self) -> Settings:
        # An event still in the log may be delivered again (a group's offsets reset): its
        # inbox entry must still be there to make it a no-op.
        inbox = self.inbox_retention_days or self.retention_days
        events = self.event_retention_days or self.retention_days
        if inbox < events:
            raise ValueError(
                f"LUOHU_INBOX_RETENTION_DAYS ({inbox}) must not be shorter than the event log's"
                f" retention ({events} days): a redelivered event would be applied again"
            )
        return self

    @model_validator(mode="after")
    def _kafka_security_is_consistent(self) -> Settings:
        problem = self._kafka_security_problem()
        if problem:
            raise ValueError(problem)
        return self

    def _kafka_security_problem(self) -> str | None:
        protocol = self.kafka_security_protocol
        sasl = {
            "LUOHU_KAFKA_SASL_USERNAME": self.kafka_sasl_username,
            "LUOHU_KAFKA_SASL_PASSWORD": self.kafka_sasl_password,
            "LUOHU_KAFKA_SASL_PASSWORD_FILE": self.kafka_sasl_password_file,
        }
        tls = {
            "LUOHU_KAFKA_SSL_CA_FILE": self.kafka_ssl_ca_file,
            "LUOHU_KAFKA_SSL_CERT_FILE": self.kafka_ssl_cert_file,
            "LUOHU_KAFKA_SSL_KEY_FILE": self.kafka_ssl_key_file,
        }
        # A credential set beside the wrong protocol would be silently ignored.
        unused = {"PLAINTEXT": sasl | tls, "SSL": sasl, "SASL_SSL": {}}[protocol]
        ignored = [name for name, value in unused.items() if value is not None]
        if ignored:
            return f"{', '.join(ignored)} set, but LUOHU_KAFKA_SECURITY_PROTOCOL is {protocol}"
        if protocol == "SASL_SSL":
            if not self.kafka_sasl_username:
                return "LUOHU_KAFKA_SECURITY_PROTOCOL=SASL_SSL needs LUOHU_KAFKA_SASL_USERNAME"
            given = (self.kafka_sasl_password is not None) + (
                self.kafka_sasl_password_file is not None
            )
            if given != 1:
                return (
                    "LUOHU_KAFKA_SECURITY_PROTOCOL=SASL_SSL needs exactly one of "
                    "LUOHU_KAFKA_SASL_PASSWORD and LUOHU_KAFKA_SASL_PASSWORD_FILE"
                )
        if self.kafka_ssl_key_file is not None and self.kafka_ssl_cert_file is None:
            return "LUOHU_KAFKA_SSL_KEY_FILE is set without LUOHU_KAFKA_SSL_CERT_FILE"
        if self.environment == "production" and self.bus == "kafka":
            return self._kafka_production_problem()
        return None

    def _kafka_production_problem(self) -> str | None:
        """In production every client proves who it is over TLS, so the broker's ACLs apply."""
        protocol = self.kafka_security_protocol
        if protocol == "PLAINTEXT":
            return (
                "LUOHU_KAFKA_SECURITY_PROTOCOL=PLAINTEXT is refused in production: events would "
                "cross the network in clear from an unauthenticated client; set SASL_SSL (with "
                "the bureau's SCRAM user) or SSL with a client certificate"
            )
        if protocol == "SSL" and self.kafka_ssl_cert_file is None:
            return (
                "LUOHU_KAFKA_SECURITY_PROTOCOL=SSL without LUOHU_KAFKA_SSL_CERT_FILE is refused "
                "in production: the broker could not tell which bureau connects"
            )
        if not self.kafka_ssl_check_hostname:
            return "LUOHU_KAFKA_SSL_CHECK_HOSTNAME=false is refused in production"
        return None

    def kafka_security(self) -> KafkaSecurity:
        """What every Kafka client is given; its files (the CA, the password) are checked now,
        so a missing Secret mount stops the process at start with the setting's name."""
        password = self.kafka_sasl_password
        security = KafkaSecurity(
            protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism,
            username=self.kafka_sasl_username,
            password=password.get_secret_value() if password is not None else None,
            password_file=self.kafka_sasl_password_file,
            ca_file=self.kafka_ssl_ca_file,
            cert_file=self.kafka_ssl_cert_file,
            key_file=self.kafka_ssl_key_file,
            check_hostname=self.kafka_ssl_check_hostname,
        )
        security.check_files()
        return security

    def database_url_for(self, service: str) -> str:
        """The service's own database: the configured URL, else a SQLite file under data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / f'{service}.db'}"

    @property
    def keys_path(self) -> Path:
        """The development folder of every signing key and the trust bundle."""
        return self.keys_dir or self.data_dir / "keys"

    @cached_property
    def event_log_path(self) -> Path:
        return self.bus_path or self.data_dir / "events.db"
