"""Process settings from the environment (prefix LUOHU_), one object per service process."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import clock

MAX_TOKEN_LIFETIME_SECONDS = 8 * 3600  # the longest a department token may be valid


class Settings(BaseSettings):
    """Everything a service process reads from its environment.

    The defaults are the embedded engine on a laptop: SQLite files and the event log
    under `var/`, every service's signing key under `var/keys/`. Production sets
    `LUOHU_ENVIRONMENT=production`, the service's own signing key and the trust bundle, a
    PostgreSQL URL and the Kafka bus.
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
    trust_bundle_file: Path | None = None
    token_lifetime_seconds: int = Field(
        default=MAX_TOKEN_LIFETIME_SECONDS, gt=0, le=MAX_TOKEN_LIFETIME_SECONDS
    )
    relay_interval_seconds: float = 0.2
    relay_batch_size: int = 500
    consumer_batch_size: int = 200
    consumer_max_attempts: int = 5
    consumer_retry_backoff_seconds: float = 0.2
    parameters_poll_seconds: float = 5.0  # how often a parameter file is looked at for changes
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
