"""The coordination office in-process, fed through its own consumer from the embedded log:
approvals and reports as hukou and the departments publish them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from services.coordination.handlers import SUBSCRIPTION
from shared.events.consumer import EventConsumer
from shared.events.envelope import CloudEvent, new_event
from shared.events.signing import EventVerifier
from shared.registry import processed_type
from shared.settings import Settings
from shared.settlement import SettlementProcessed
from tests.support import publish

OPENED = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def item(field: str, *, kind: str = "information", due_on: str = "2026-12-16") -> dict[str, Any]:
    """An open item as a department's report carries it."""
    return {
        "id": f"item-{field}",
        "member_index": 0,
        "field": field,
        "kind": kind,
        "reason": f"{field} is not known",
        "opened_at": OPENED.isoformat(),
        "due_on": due_on,
    }


def report(
    settlement_id: str,
    service: str,
    version: int | None,
    status: str = "done",
    *items: dict[str, Any],
    made: int = 0,
) -> CloudEvent:
    """`<service>.settlement.processed`, made `made` minutes after the first report."""
    data = SettlementProcessed.model_validate(
        {
            "settlement_id": settlement_id,
            "service": service,
            "outcome": "failed" if status == "failed" else "done",
            "summary": f"{service} decided {status}",
            "status": status,
            "open_items": list(items),
            "version": version,
        }
    )
    return new_event(
        type_=processed_type(service),
        source=f"/luohu/{service}",
        subject=settlement_id,
        data=data.model_dump(mode="json"),
        time=OPENED + timedelta(minutes=made),
    )


def consumer(client: TestClient) -> EventConsumer:
    """The office's consumer, as its runtime runs it."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return EventConsumer(
        subscription=SUBSCRIPTION,
        db=runtime.db,
        tables=runtime.spec.tables,
        bus=runtime.bus,
        verifier=EventVerifier(runtime.keyring),
    )


def deliver(client: TestClient, settings: Settings, *events: CloudEvent) -> None:
    """Publish the events (each signed by its producer) and let the office consume them all."""
    publish(settings, *events)
    consume(client)


def consume(client: TestClient) -> None:
    """Let the office consume everything on the log."""
    office = consumer(client)
    try:
        while office.run_once(timeout=0.05):
            pass
    finally:
        office.close()
