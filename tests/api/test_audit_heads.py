"""Every service's audit chain head, published to the coordination office (四(四) "纳入审计监督
范围"): put in the outbox when it moved, not again while it has not, relayed signed, kept by the
office for the service whose key signed it, a forged one dead-lettered, one going backwards
kept and flagged, and served at `GET /v1/audit/heads`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.coordination.app import build as build_office
from services.coordination.rebuild import rebuild
from services.hukou.app import build as build_hukou
from shared.audit import chain_head, record_audit
from shared.audit_heads import publish_head, publish_heads_until
from shared.events.embedded import EmbeddedBus
from shared.events.envelope import new_event, to_message
from shared.events.outbox import OutboxRelay
from shared.events.signing import EventSigner
from shared.registry import audit_head_type
from shared.settings import Settings
from tests.api.coordination_support import consume
from tests.support import Headers, dead_letters_for, events_on, ok, signed, token

HEAD_TOPIC = "hukou.audit.head"


@pytest.fixture
def quiet(settings: Settings) -> Settings:
    return settings.model_copy(update={"start_workers": False})


@pytest.fixture
def hukou(quiet: Settings) -> Iterator[TestClient]:
    with TestClient(build_hukou(quiet)) as client:
        yield client


@pytest.fixture
def office(quiet: Settings) -> Iterator[TestClient]:
    with TestClient(build_office(quiet)) as client:
        yield client


def runtime_of(client: TestClient) -> Any:
    return client.app.state.runtime  # type: ignore[attr-defined]


def change(client: TestClient, entity_id: str) -> None:
    """One audited change in the service behind `client`."""
    runtime = runtime_of(client)
    with runtime.db.unit_of_work() as session:
        record_audit(
            session,
            runtime.spec.tables,
            actor="dept:public_security",
            action="thing.done",
            entity_type="thing",
            entity_id=entity_id,
        )


def publish(client: TestClient) -> Any:
    runtime = runtime_of(client)
    return publish_head(runtime.db, runtime.spec.tables, runtime.spec.name)


def heads_in_outbox(client: TestClient) -> list[dict[str, Any]]:
    runtime = runtime_of(client)
    outbox = runtime.spec.tables.outbox
    with runtime.db.read_only() as session:
        rows = session.execute(select(outbox.c.value).where(outbox.c.topic == HEAD_TOPIC))
        return [json.loads(value)["data"] for (value,) in rows]


def relay(client: TestClient) -> None:
    """Send the service's outbox as its relay does, signed with its own key."""
    runtime = runtime_of(client)
    OutboxRelay(
        service=runtime.spec.name,
        db=runtime.db,
        tables=runtime.spec.tables,
        bus=runtime.bus,
        signer=EventSigner(runtime.keyring, runtime.spec.name),
    ).run_once()


def held(office: TestClient, auditor: Headers, **params: Any) -> list[dict[str, Any]]:
    page = ok(office.get("/v1/audit/heads", headers=auditor, params=params))
    return list(page["items"])


@pytest.fixture
def auditor(settings: Settings) -> Headers:
    return token(settings, "audit")


class TestPublishing:
    def test_a_head_is_published_after_changes_and_not_again_while_unchanged(
        self, hukou: TestClient
    ) -> None:
        assert publish(hukou) is None  # no entry yet: nothing to publish
        change(hukou, "a")
        change(hukou, "b")
        first = publish(hukou)
        assert (first.service, first.sequence) == ("hukou", 2)
        assert publish(hukou) is None
        assert publish(hukou) is None
        change(hukou, "c")
        second = publish(hukou)
        assert second.sequence == 3 and second.hash != first.hash
        assert [(h["sequence"], h["hash"]) for h in heads_in_outbox(hukou)] == [
            (2, first.hash),
            (3, second.hash),
        ]

    def test_publishing_appends_nothing_to_the_chain_so_it_converges(
        self, hukou: TestClient
    ) -> None:
        change(hukou, "a")
        runtime = runtime_of(hukou)
        published = publish(hukou)
        relay(hukou)
        with runtime.db.read_only() as session:
            head = chain_head(session, runtime.spec.tables)
            entries = session.execute(
                select(func.count()).select_from(runtime.spec.tables.audit_log)
            ).scalar_one()
        assert (head.sequence, head.hash, entries) == (1, published.hash, 1)
        assert publish(hukou) is None

    def test_the_head_travels_signed_on_its_services_topic_keyed_by_the_service(
        self, hukou: TestClient, settings: Settings
    ) -> None:
        change(hukou, "a")
        published = publish(hukou)
        relay(hukou)
        (event,) = events_on(settings, HEAD_TOPIC)
        assert event["type"] == audit_head_type("hukou")
        assert event["source"] == "/luohu/hukou"
        assert event["data"] == {
            "service": "hukou",
            "sequence": 1,
            "hash": published.hash,
            "at": published.at.isoformat().replace("+00:00", "Z"),
        }

    def test_the_worker_publishes_at_start_then_at_its_interval(self, hukou: TestClient) -> None:
        change(hukou, "a")
        runtime = runtime_of(hukou)
        stop = threading.Event()
        worker = threading.Thread(
            target=publish_heads_until,
            args=(stop, runtime.db, runtime.spec.tables, "hukou"),
            kwargs={"interval": 0.05},
        )
        worker.start()
        try:
            deadline = threading.Event()
            for _ in range(100):
                if heads_in_outbox(hukou):
                    break
                deadline.wait(0.02)
            change(hukou, "b")
            for _ in range(100):
                if len(heads_in_outbox(hukou)) == 2:
                    break
                deadline.wait(0.02)
            deadline.wait(0.2)  # a few intervals more: the unchanged head is not sent again
        finally:
            stop.set()
            worker.join(timeout=5)
        assert [h["sequence"] for h in heads_in_outbox(hukou)] == [1, 2]

    def test_the_interval_is_a_setting_of_five_minutes_by_default(self) -> None:
        assert Settings().audit_head_interval_seconds == 300.0
        assert Settings(audit_head_interval_seconds=30).audit_head_interval_seconds == 30.0


class TestTheOffice:
    def test_it_keeps_every_head_a_service_published(
        self, hukou: TestClient, office: TestClient, auditor: Headers
    ) -> None:
        change(hukou, "a")
        first = publish(hukou)
        change(hukou, "b")
        second = publish(hukou)
        relay(hukou)
        consume(office)
        shown = held(office, auditor, service="hukou")
        assert [(h["service"], h["sequence"], h["hash"]) for h in shown] == [
            ("hukou", 1, first.hash),
            ("hukou", 2, second.hash),
        ]
        assert all(h["incident"] is None and h["event_id"] for h in shown)
        assert held(office, auditor, service="housing") == []

    def test_the_same_head_again_is_kept_once(
        self, hukou: TestClient, office: TestClient, settings: Settings, auditor: Headers
    ) -> None:
        """A head published again (after `luohu prune`, say) under another event id."""
        change(hukou, "a")
        first = publish(hukou)
        relay(hukou)
        send(settings, head_event("hukou", 1, first.hash))
        consume(office)
        assert len(held(office, auditor)) == 1
        relay(office)
        assert dead_letters_for(settings, "coordination", "hukou") == []  # applied, not refused

    def test_a_head_signed_by_another_service_is_dead_lettered_never_stored(
        self, office: TestClient, settings: Settings, auditor: Headers
    ) -> None:
        """The trust rule: a head counts for the service whose key signed it. Housing's key
        on pension's head is refused before any handler runs."""
        send(settings, head_event("pension", 4, "a" * 64), by="housing")
        consume(office)
        assert held(office, auditor) == []
        relay(office)  # the dead letter goes out through the office's outbox
        (dead,) = dead_letters_for(settings, "coordination", "pension")
        assert b"signed by housing" in dead.headers["luohu-error"]

    def test_a_head_naming_another_service_than_its_signer_is_refused(
        self, office: TestClient, settings: Settings, auditor: Headers
    ) -> None:
        """Housing's own type and key, but pension's name in the data: not pension's head."""
        event = head_event("housing", 4, "a" * 64)
        forged = new_event(
            type_=event.get_type(),
            source="/luohu/housing",
            subject="pension",
            data={**event.get_data(), "service": "pension"},  # type: ignore[dict-item]
        )
        send(settings, forged)
        consume(office)
        assert held(office, auditor) == []
        relay(office)
        (dead,) = dead_letters_for(settings, "coordination", "pension")
        assert b"publishes only its own head" in dead.headers["luohu-error"]

    def test_a_head_going_backwards_is_kept_and_flagged(
        self, office: TestClient, settings: Settings, auditor: Headers
    ) -> None:
        send(
            settings,
            head_event("pension", 5, "a" * 64),
            head_event("pension", 3, "b" * 64),
            head_event("pension", 5, "c" * 64),
        )
        consume(office)
        shown = held(office, auditor, service="pension")
        flagged = {(h["sequence"], h["hash"][0]): h["incident"] for h in shown}
        assert flagged[(5, "a")] is None
        assert "the chain went backwards" in flagged[(3, "b")]
        assert "published before with another hash" in flagged[(5, "c")]
        incidents = held(office, auditor, service="pension", incident="true")
        assert {(h["sequence"], h["hash"][0]) for h in incidents} == {(3, "b"), (5, "c")}

    def test_a_rebuild_of_the_view_keeps_every_head_once(
        self, office: TestClient, settings: Settings, auditor: Headers
    ) -> None:
        send(settings, head_event("pension", 5, "a" * 64), head_event("pension", 3, "b" * 64))
        consume(office)
        before = held(office, auditor)
        runtime = runtime_of(office)
        read = rebuild(runtime.db, runtime.bus, runtime.keyring, idle_polls=1, first_within=2)
        assert read == 2
        assert held(office, auditor) == before and len(before) == 2
        relay(office)
        assert dead_letters_for(settings, "coordination", "pension") == []

    def test_the_heads_are_read_with_audit_or_the_offices_read_scope(
        self, office: TestClient, settings: Settings
    ) -> None:
        assert office.get("/v1/audit/heads", headers=token(settings, "coordination")).is_success
        assert office.get("/v1/audit/heads", headers=token(settings, "audit")).is_success
        assert office.get("/v1/audit/heads", headers=token(settings, "housing")).status_code == 403
        unknown = office.get(
            "/v1/audit/heads", headers=token(settings, "audit"), params={"service": "nowhere"}
        )
        assert unknown.status_code == 422


def head_event(service: str, sequence: int, hash_: str) -> Any:
    return new_event(
        type_=audit_head_type(service),
        source=f"/luohu/{service}",
        subject=service,
        data={
            "service": service,
            "sequence": sequence,
            "hash": hash_,
            "at": datetime(2026, 12, 2, 9, sequence, tzinfo=UTC).isoformat(),
        },
    )


def send(settings: Settings, *events: Any, by: str | None = None) -> None:
    """Append heads to the embedded log, each signed by its producer (or `by`)."""
    bus = EmbeddedBus(settings.event_log_path)
    try:
        bus.publish(
            [signed(settings, to_message(e, key=str(e.get_subject())), by=by) for e in events]
        )
    finally:
        bus.close()
