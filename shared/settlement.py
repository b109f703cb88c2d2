"""The settlement events every department shares: `settlement.approved` in, `processed` out."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from shared.audit import record_audit
from shared.db import PlatformTables
from shared.events.consumer import Subscription
from shared.events.envelope import CloudEvent, data_of, event_type, new_event, topic_of
from shared.events.outbox import add_to_outbox

log = logging.getLogger(__name__)

SETTLEMENT_APPROVED = event_type("hukou", "settlement.approved")
APPROVED_TOPIC = topic_of(SETTLEMENT_APPROVED)


class _EventData(BaseModel):
    # A newer minor version may add fields: read what we know, keep the rest out.
    model_config = ConfigDict(extra="ignore", frozen=True)


class SettledMember(_EventData):
    id_number: str
    name: str
    birth_date: date
    sex: Literal["male", "female"]
    relation: Literal["applicant", "spouse", "child", "parent"]
    previous_region_code: str
    previous_hukou_type: Literal["rural", "urban"]


class SettlementApproved(_EventData):
    """The data of `cn.gov.shaoguan.hukou.settlement.approved` (CONTRACT.md, Events)."""

    settlement_id: str
    decided_at: datetime
    decision_date: date
    rules_version: str | None
    channel: str
    destination_region_code: str
    destination_region_name: str | None = None
    destination_address: str | None = None
    residence: dict[str, Any] | None = None
    members: list[SettledMember]
    social_insurance: dict[str, Any] | None = None
    housing: dict[str, Any] | None = None
    rural_rights: dict[str, Any] | None = None

    @classmethod
    def from_event(cls, event: CloudEvent) -> SettlementApproved:
        return cls.model_validate(data_of(event))


def approved_event(data: SettlementApproved) -> CloudEvent:
    return new_event(
        type_=SETTLEMENT_APPROVED,
        source="/luohu/hukou",
        subject=data.settlement_id,
        data=data.model_dump(mode="json"),
    )


def processed_type(service: str) -> str:
    return event_type(service, "settlement.processed")


def report_processed(
    session: Session,
    tables: PlatformTables,
    *,
    service: str,
    settlement_id: str,
    outcome: Literal["done", "failed"],
    summary: str,
) -> None:
    """Tell the coordinator how this department's part went, in the caller's transaction."""
    event = new_event(
        type_=processed_type(service),
        source=f"/luohu/{service}",
        subject=settlement_id,
        data={
            "settlement_id": settlement_id,
            "service": service,
            "outcome": outcome,
            "summary": summary,
        },
    )
    add_to_outbox(session, tables, event, key=settlement_id)


SettlementAction = Callable[[Session, SettlementApproved], str]
"""A department's follow-through on one approved settlement; returns a short summary."""


def settlement_subscription(
    *, service: str, tables: PlatformTables, act: SettlementAction
) -> Subscription:
    """Consume `settlement.approved`: act, audit and report `done` in one transaction;
    report `failed` when the event is dead-lettered, so the fan-out shows it."""

    def follow_through(session: Session, event: CloudEvent) -> None:
        settlement = SettlementApproved.from_event(event)
        summary = act(session, settlement)
        record_audit(
            session,
            tables,
            actor="event:hukou.settlement.approved",
            action="settlement.processed",
            entity_type="settlement",
            entity_id=settlement.settlement_id,
            detail={"event_id": event.get_id(), "summary": summary},
        )
        report_processed(
            session,
            tables,
            service=service,
            settlement_id=settlement.settlement_id,
            outcome="done",
            summary=summary,
        )
        log.info(
            "settlement processed: %s", summary, extra={"settlement_id": settlement.settlement_id}
        )

    def report_failure(session: Session, event: CloudEvent, error: str) -> None:
        data = event.get_data()
        known = data.get("settlement_id") if isinstance(data, dict) else None
        settlement_id = str(known or event.get_subject())
        report_processed(
            session,
            tables,
            service=service,
            settlement_id=settlement_id,
            outcome="failed",
            summary=f"could not be processed: {error[:300]}",
        )

    return Subscription(
        group=service,
        topics=[APPROVED_TOPIC],
        handlers={SETTLEMENT_APPROVED: [follow_through]},
        on_dead_letter=report_failure,
    )
