"""A department's latest report into the supervision's view (四(三) 纳入市政府督查工作范围).

Called by `operations.record_report` in the report's own transaction, whenever a report
replaces the one held: its open items become the settlement's supervised items for that
department (an item it no longer lists is gone), and every open follow-up on an item it has
done closes, recording when and by which report. A follow-up closes when the department is
`done`, or still has open items but no longer this one; a `failed` report leaves it open (the
department did not do the item: its decision failed, and is replayed once the cause is fixed).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.coordination.models import TABLES, DepartmentReport, FollowUp, SupervisedItem
from shared.audit import record_audit
from shared.follow_through.model import OpenItemOut

CLOSED = "closed"
OPEN = "open"


def report_applied(
    session: Session, held: DepartmentReport, event_id: str, occurred_at: datetime
) -> None:
    """`held` now holds the department's latest report (read from event `event_id`, made at
    `occurred_at`): supervise its items and close the follow-ups it settles."""
    _supervise_items(session, held)
    if held.status != "failed":
        _close_follow_ups(session, held, event_id, occurred_at)


def _supervise_items(session: Session, held: DepartmentReport) -> None:
    session.execute(
        delete(SupervisedItem).where(
            SupervisedItem.settlement_id == held.settlement_id,
            SupervisedItem.service == held.service,
        )
    )
    for item in (OpenItemOut.model_validate(raw) for raw in held.open_items):
        session.add(
            SupervisedItem(
                settlement_id=held.settlement_id,
                service=held.service,
                item_id=item.id,
                member_index=item.member_index,
                field=item.field,
                kind=item.kind,
                reason=item.reason,
                opened_at=item.opened_at,
                due_on=item.due_on,
            )
        )
    session.flush()


def _close_follow_ups(
    session: Session, held: DepartmentReport, event_id: str, occurred_at: datetime
) -> None:
    listed = {str(item["id"]) for item in held.open_items}
    chasing = session.execute(
        select(FollowUp).where(
            FollowUp.settlement_id == held.settlement_id,
            FollowUp.service == held.service,
            FollowUp.state == OPEN,
        )
    ).scalars()
    for follow_up in chasing:
        if held.status != "done" and follow_up.item_id in listed:
            continue
        reason = (
            "the department reported the settlement done"
            if held.status == "done"
            else "the department's later report no longer lists the item"
        )
        follow_up.state = CLOSED
        follow_up.closed_at = occurred_at
        follow_up.closed_by_event_id = event_id
        follow_up.closed_reason = reason
        record_audit(
            session,
            TABLES,
            actor=f"event:{held.service}.settlement.processed",
            action="follow_up.closed",
            entity_type="follow_up",
            entity_id=follow_up.id,
            detail={
                "settlement_id": held.settlement_id,
                "service": held.service,
                "item_id": follow_up.item_id,
                "event_id": event_id,
                "reason": reason,
            },
        )
    session.flush()
