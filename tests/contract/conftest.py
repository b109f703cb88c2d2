"""Contract test fixtures: the bus, one parameter per engine, each handle on one shared log; the
databases; and the test-only service of the outbox and inbox tests (`tests.contract.support`)."""

from __future__ import annotations

import os
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from shared.db import Database
from shared.events.bus import Bus
from shared.events.consumer import DeadLetterHook, EventConsumer, Handler, Subscription
from shared.events.embedded import EmbeddedBus
from shared.events.envelope import event_type, topic_of
from shared.events.kafka import KafkaBus
from shared.events.outbox import OutboxRelay
from tests.contract.support import (
    MAX_ATTEMPTS,
    ConsumerFactory,
    apply_effect,
    metadata,
    tables,
    unique,
)

# Short leases keep the takeover tests quick; an engine without leases ignores it.
LEASE_SECONDS = 0.5

BusFactory = Callable[[], Bus]


@dataclass(frozen=True)
class BusSpec:
    """How to open a handle on the log under test; picklable, so a child process can too."""

    engine: str
    location: str

    def open(self) -> Bus:
        if self.engine == "embedded":
            return EmbeddedBus(Path(self.location), lease_seconds=LEASE_SECONDS)
        if self.engine == "kafka":
            # Short sessions so a dead member's partitions move on quickly in tests.
            return KafkaBus(self.location, partitions=3, session_timeout_ms=6000)
        raise ValueError(f"unknown bus engine {self.engine!r}")


def kafka_bootstrap() -> str:
    """The test broker `make test` starts (scripts/kafka.sh); without it Kafka tests skip."""
    servers = os.environ.get("LUOHU_TEST_KAFKA")
    if not servers:
        pytest.skip("no Kafka broker for tests: `make test` starts one (LUOHU_TEST_KAFKA)")
    return servers


@pytest.fixture(params=["embedded", "kafka"])
def bus_spec(request: pytest.FixtureRequest, tmp_path: Path) -> BusSpec:
    engine: str = request.param
    if engine == "embedded":
        return BusSpec(engine=engine, location=str(tmp_path / "bus" / "events.db"))
    if engine == "kafka":
        return BusSpec(engine=engine, location=kafka_bootstrap())
    raise ValueError(f"unknown bus engine {engine!r}")


@pytest.fixture
def make_bus(bus_spec: BusSpec) -> Iterator[BusFactory]:
    """Open another handle on the same log, as another process or a restart would."""
    opened: list[Bus] = []

    def make() -> Bus:
        bus = bus_spec.open()
        opened.append(bus)
        return bus

    yield make
    for bus in reversed(opened):
        bus.close()


@pytest.fixture
def bus(make_bus: BusFactory) -> Bus:
    return make_bus()


@pytest.fixture
def embedded_bus(bus: Bus) -> EmbeddedBus:
    """The bus, for tests of what only the embedded engine promises (leases, atomic batches)."""
    if not isinstance(bus, EmbeddedBus):
        pytest.skip("embedded engine only")
    return bus


@pytest.fixture
def kind() -> str:
    """An event type of its own, so its topic (the type's last three parts) is new to the log."""
    return event_type(f"t{uuid.uuid4().hex[:12]}", "thing.happened")


@pytest.fixture
def topic(kind: str) -> str:
    """A topic no other test uses: the one `kind` travels on, so events can be sent on it."""
    return topic_of(kind)


@pytest.fixture
def group() -> str:
    return unique("contract.group")


def postgres_admin_url() -> str:
    """The PostgreSQL server `make test` starts (scripts/postgres.sh); without it, skip."""
    url = os.environ.get("LUOHU_TEST_POSTGRES")
    if not url:
        pytest.skip("no PostgreSQL server for tests: `make test` starts one (LUOHU_TEST_POSTGRES)")
    return url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg
    from sqlalchemy.engine.url import make_url

    admin = make_url(postgres_admin_url())
    name = f"test_{uuid.uuid4().hex[:16]}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield admin.set(database=name).render_as_string(hide_password=False)
    # FORCE ends the test's own sessions, but not an autovacuum worker that happens to be
    # in the database (it belongs to the superuser): wait for it to go, then drop.
    for _ in range(20):
        try:
            with psycopg.connect(dsn, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            time.sleep(0.5)
    warnings.warn(f"test database {name} left behind: still in use", stacklevel=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database on each engine a service runs on."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'service.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


# --- the test-only service of the outbox and inbox tests ----------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/svc.db")
    metadata.create_all(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def relay(db: Database, bus: Bus) -> OutboxRelay:
    return OutboxRelay(service="contract", db=db, tables=tables, bus=bus)


@pytest.fixture
def make_consumer(
    db: Database, bus: Bus, group: str, topic: str, kind: str
) -> Iterator[ConsumerFactory]:
    """A member of `group` reading `topic` with `handlers` for `kind`; closed after the test."""
    made: list[EventConsumer] = []

    def make(
        *handlers: Handler,
        on_dead_letter: DeadLetterHook | None = None,
        batch_size: int = 200,
    ) -> EventConsumer:
        consumer = EventConsumer(
            subscription=Subscription(
                group=group,
                handlers={kind: handlers or [apply_effect]},
                on_dead_letter=on_dead_letter,
            ),
            db=db,
            tables=tables,
            bus=bus,
            max_attempts=MAX_ATTEMPTS,
            backoff=0.0,
            batch_size=batch_size,
        )
        made.append(consumer)
        return consumer

    yield make
    for consumer in reversed(made):
        consumer.close()
