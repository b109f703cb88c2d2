"""Signed events, on both engines: a consumer applies an event only when its signature proves
it comes from a service the registry names as a producer of its type; every forgery is
dead-lettered with the reason and applied never."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from shared.db import Database
from shared.events.bus import Bus, Message
from shared.events.consumer import EventConsumer, Subscription
from shared.events.deadletters import pending_dead_letters, replay_dead_letters
from shared.events.envelope import new_event, to_message, topic_of
from shared.events.kafka import KafkaBus
from shared.events.outbox import OutboxRelay, add_to_outbox
from shared.events.signing import SIGNATURE_HEADER, EventSigner, EventVerifier
from shared.key_folder import init_keys
from shared.keys import Keyring, keyring_for
from shared.observability import metrics
from shared.registry import processed_type
from shared.settings import Settings
from tests.contract.conftest import BusSpec
from tests.contract.support import unique
from tests.contract.test_deadletters import EFFECTS, TABLES, metadata
from tests.support import session_keys

HOUSING_REPORT = processed_type("housing")


def keyring_in(folder: Path) -> Keyring:
    init_keys(folder)
    return keyring_for(Settings(_env_file=None, keys_dir=folder))  # type: ignore[call-arg]


PLATFORM = keyring_in(session_keys())
ELSEWHERE = keyring_in(Path(tempfile.mkdtemp(prefix="luohu-other-keys-")))  # not trusted here
HOUSING, EDUCATION = EventSigner(PLATFORM, "housing"), EventSigner(PLATFORM, "education")
OUTSIDER = EventSigner(ELSEWHERE, "housing")
TRUSTED = EventVerifier(PLATFORM)


class Hukou:
    """A consumer of housing's reports that verifies what it reads, as every service does."""

    def __init__(self, bus: Bus, tmp_path: Path) -> None:
        self.bus = bus
        self.broken = False
        self.group = unique("hukou")
        self.db = Database(f"sqlite:///{tmp_path / 'hukou.db'}")
        metadata.create_all(self.db.engine)
        subscription = Subscription(group=self.group, handlers={HOUSING_REPORT: [self.apply]})
        self.consumer = EventConsumer(
            subscription=subscription,
            db=self.db,
            tables=TABLES,
            bus=bus,
            max_attempts=1,
            backoff=0,
            verifier=TRUSTED,
        )
        self.relay = OutboxRelay(service="hukou", db=self.db, tables=TABLES, bus=bus)

    def apply(self, session: Any, event: Any) -> None:
        if self.broken:
            raise RuntimeError("the database is away")
        session.execute(insert(EFFECTS).values(event_id=event.get_id(), n=1))

    def consume(self, count: int, timeout: float = 30) -> None:
        deadline, seen = time.monotonic() + timeout, 0
        while seen < count and time.monotonic() < deadline:
            seen += self.consumer.run_once(timeout=0.5)
        self.relay.run_once()  # publishes the dead letters it wrote
        assert seen >= count, f"consumed {seen} of {count}"

    def effects(self) -> int:
        with self.db.read_only() as session:
            return int(session.execute(select(func.count()).select_from(EFFECTS)).scalar_one())

    def errors(self) -> list[str]:
        return [letter.error for letter in pending_dead_letters(self.bus, self.group)]


@pytest.fixture
def bus(bus_spec: BusSpec) -> Iterator[Bus]:
    """A log of the test's own: these tests use the contract's real topics, so on the shared
    broker they take a namespace of their own (the embedded log is new for each test)."""
    if bus_spec.engine == "kafka":
        opened: Bus = KafkaBus(
            bus_spec.location,
            partitions=3,
            session_timeout_ms=6000,
            namespace=unique("signing") + ".",
        )
    else:
        opened = bus_spec.open()
    yield opened
    opened.close()


@pytest.fixture
def hukou(bus: Bus, tmp_path: Path) -> Any:
    made = Hukou(bus, tmp_path)
    yield made
    made.consumer.close()
    made.db.dispose()


def report(event_id: str | None = None, **data: Any) -> Message:
    event = new_event(
        type_=HOUSING_REPORT,
        source="/luohu/housing",
        subject="s-1",
        data={"settlement_id": "s-1", "service": "housing", **data},
        event_id=event_id,
    )
    return to_message(event, key="s-1")


def test_a_report_signed_by_its_producer_is_applied(bus: Bus, hukou: Hukou) -> None:
    bus.publish([HOUSING.sign(report())])
    hukou.consume(1)
    assert (hukou.effects(), hukou.errors()) == (1, [])


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        (lambda m: m, "the event is not signed"),
        (EDUCATION.sign, f"{HOUSING_REPORT} signed by education: only housing may publish it"),
        (OUTSIDER.sign, "which the trust bundle does not hold"),
        (
            lambda m: Message(
                m.topic, m.key, m.value.replace(b'"s-1"', b'"s-2"'), HOUSING.sign(m).headers
            ),
            "does not verify",
        ),
        (
            lambda m: Message(m.topic, m.key, m.value, {SIGNATURE_HEADER: b"not a jws"}),
            "the signature is malformed",
        ),
    ],
    ids=["unsigned", "another-service", "unknown-key", "tampered", "garbled"],
)
def test_a_forgery_is_dead_lettered_with_the_reason_and_never_applied(
    bus: Bus, hukou: Hukou, forge: Any, reason: str
) -> None:
    rejected_before = metrics.events_rejected.labels(hukou.group)._value.get()
    bus.publish([forge(report(outcome="done"))])
    hukou.consume(1)

    assert hukou.effects() == 0
    (error,) = hukou.errors()
    assert error.startswith("rejected: ") and reason in error
    assert metrics.events_rejected.labels(hukou.group)._value.get() == rejected_before + 1


def test_a_forgery_under_a_real_events_id_does_not_shadow_the_real_one(
    bus: Bus, hukou: Hukou
) -> None:
    bus.publish([EDUCATION.sign(report(event_id="e-1"))])
    hukou.consume(1)
    bus.publish([HOUSING.sign(report(event_id="e-1"))])
    hukou.consume(1)
    assert hukou.effects() == 1, "the genuine event was applied despite the forgery before it"


def test_a_dead_letter_keeps_its_producers_signature_and_its_replay_is_applied(
    bus: Bus, hukou: Hukou
) -> None:
    hukou.broken = True
    bus.publish([HOUSING.sign(report())])
    hukou.consume(1)
    (error,) = hukou.errors()
    assert "the database is away" in error

    hukou.broken = False
    assert replay_dead_letters(bus, hukou.group) == 1
    hukou.consume(1)
    assert (hukou.effects(), hukou.errors()) == (1, [])


def test_the_relay_signs_what_it_publishes_with_the_services_own_key(
    bus: Bus, tmp_path: Path
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'housing.db'}")
    metadata.create_all(db.engine)
    relay = OutboxRelay(service="housing", db=db, tables=TABLES, bus=bus, signer=HOUSING)

    event = new_event(type_=HOUSING_REPORT, source="/luohu/housing", subject="s-1", data={})
    with db.unit_of_work() as session:
        add_to_outbox(session, TABLES, event, key="s-1")
    assert relay.run_once() == 1
    reader = bus.consumer(group=unique("reader"), topics=[topic_of(HOUSING_REPORT)])
    try:
        deadline, records = time.monotonic() + 30, []
        while not records and time.monotonic() < deadline:
            records = reader.poll(max_records=10, timeout=0.5)
    finally:
        reader.close()
        db.dispose()
    (record,) = records
    assert TRUSTED.check(record, HOUSING_REPORT) == "housing"
