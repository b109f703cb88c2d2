"""Process settings from the environment (prefix LUOHU_), one object per service process."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared import clock

DEVELOPMENT_SECRET = "luohu-development-secret-change-me"
MINIMUM_SECRET_BYTES = 32
"""An HS256 key shorter than the hash it keys (RFC 7518 section 3.2) is refused in production."""


class Settings(BaseSettings):
    """Everything a service process reads from its environment.

    The defaults are the embedded engine on a laptop: SQLite files and the event log
    under `var/`. Production sets `LUOHU_ENVIRONMENT=production`, a real secret, a
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
    jwt_secret: str = DEVELOPMENT_SECRET
    jwt_issuer: str = "luohu"
    token_lifetime_seconds: int = 8 * 3600
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

    @model_validator(mode="after")
    def _refuse_weak_secret_in_production(self) -> Settings:
        if self.environment != "production":
            return self
        if self.jwt_secret == DEVELOPMENT_SECRET:
            raise ValueError("LUOHU_JWT_SECRET must be set to a real secret in production")
        if len(self.jwt_secret.encode()) < MINIMUM_SECRET_BYTES:
            raise ValueError(
                f"LUOHU_JWT_SECRET is too short for production: at least {MINIMUM_SECRET_BYTES} "
                "bytes (`luohu compose-env` makes one)"
            )
        return self

    def database_url_for(self, service: str) -> str:
        """The service's own database: the configured URL, else a SQLite file under data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / f'{service}.db'}"

    @cached_property
    def event_log_path(self) -> Path:
        return self.bus_path or self.data_dir / "events.db"
