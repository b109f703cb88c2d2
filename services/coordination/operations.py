"""Events into the read model: each applied once in effect, in whatever order they arrive.

An approval is kept as first read (hukou approves a settlement once: a redelivery, even under
another event id, changes nothing); a department's report replaces the one held only when it is
a later decision (`SettlementProcessed.supersedes`, as hukou's fan-out does). Each event enters
the timeline once. The office decides nothing (四(一)): it records what it is told.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.coordination import supervision
from services.coordination.models import DepartmentReport, SettlementProgress, TimelineEntry
from services.coordination.progress import overall_status
from shared.registry import DOWNSTREAM_SERVICES, SETTLEMENT_APPROVED, processed_type
from shared.settlement import SettlementApproved, SettlementProcessed


def record_approval(
    session: Session, approval: SettlementApproved, event_id: str, occurred_at: datetime
) -> None:
    """Hukou approved a settlement: the office starts following it (every department is
    awaiting until it reports)."""
    progress = _progress(session, approval.settlement_id)
    if progress.approval_event_id is not None:
        return  # approved once: a redelivery under another id adds nothing
    progress.region_code = approval.destination_region_code
    progress.channel = approval.channel
    progress.household_size = approval.household_size
    progress.decided_at = approval.decided_at
    progress.decision_date = approval.decision_date
    progress.approval_event_id = event_id
    session.add(
        TimelineEntry(
            event_id=event_id,
            settlement_id=approval.settlement_id,
            type=SETTLEMENT_APPROVED,
            service="hukou",
            occurred_at=occurred_at,
            status=None,
            version=None,
            open_items=0,
            summary=f"approved under {approval.channel}, {approval.household_size} settling",
        )
    )
    _restate(session, progress)


def record_report(
    session: Session, report: SettlementProcessed, event_id: str, occurred_at: datetime
) -> None:
    """A department reported on a settlement: its part takes the report when it is a later
    decision than the one held, and the timeline gains the report unless it holds it."""
    if report.service not in DOWNSTREAM_SERVICES:
        raise ValueError(f"unexpected report from service {report.service!r}")
    progress = _progress(session, report.settlement_id)
    if not _in_timeline(session, report, event_id):
        session.add(
            TimelineEntry(
                event_id=event_id,
                settlement_id=report.settlement_id,
                type=processed_type(report.service),
                service=report.service,
                occurred_at=occurred_at,
                status=report.current_status,
                version=report.version,
                open_items=len(report.open_items),
                summary=report.summary,
            )
        )
    held = session.get(
        DepartmentReport, (report.settlement_id, report.service), with_for_update=True
    )
    if not report.supersedes(held.version if held else None, held.status if held else None):
        return
    if held is None:
        held = DepartmentReport(settlement_id=report.settlement_id, service=report.service)
        session.add(held)
    held.status = report.current_status
    held.summary = report.summary
    held.open_items = [item.model_dump(mode="json") for item in report.open_items]
    held.version = report.version
    held.reported_at = occurred_at
    held.event_id = event_id
    session.flush()
    supervision.report_applied(session, held, event_id, occurred_at)
    _restate(session, progress)


def _progress(session: Session, settlement_id: str) -> SettlementProgress:
    progress = session.get(SettlementProgress, settlement_id, with_for_update=True)
    if progress is None:
        progress = SettlementProgress(settlement_id=settlement_id, status="awaiting")
        session.add(progress)
    return progress


def _in_timeline(session: Session, report: SettlementProcessed, event_id: str) -> bool:
    """Whether the timeline holds this report: the same event, or (a report sent again under
    another id) the same decision of the same department."""
    same = TimelineEntry.event_id == event_id
    if report.version is not None:
        same = same | (
            (TimelineEntry.settlement_id == report.settlement_id)
            & (TimelineEntry.service == report.service)
            & (TimelineEntry.version == report.version)
        )
    return session.execute(select(TimelineEntry.event_id).where(same).limit(1)).first() is not None


def _restate(session: Session, progress: SettlementProgress) -> None:
    session.flush()
    statuses = session.execute(
        select(DepartmentReport.status).where(
            DepartmentReport.settlement_id == progress.settlement_id
        )
    ).scalars()
    progress.status = overall_status(statuses)
