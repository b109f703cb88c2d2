"""The family's progress as the office answers it, and the list of settlements."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from services.coordination import schemas
from services.coordination.models import DepartmentReport, SettlementProgress, TimelineEntry
from shared import clock
from shared.follow_through.model import OpenItemOut
from shared.pagination import PageRequest, fetch_page
from shared.registry import DOWNSTREAM_SERVICES, SERVICES_BY_NAME
from shared.routes import load_one

_ITEM_ACTIONS: dict[str, tuple[schemas.Action, str]] = {
    "information": ("supply_information", "the family supplies it through the department"),
    "parameter": ("record_parameter", "the department records the local parameter it needs"),
    "confirmation": ("record_confirmation", "the department records the origin's answer"),
}


def progress_out(session: Session, settlement_id: str) -> schemas.ProgressOut:
    """The family's progress (四(三) 督查): each bureau's part, who acts next, every event."""
    progress = load_one(
        session,
        SettlementProgress,
        SettlementProgress.settlement_id == settlement_id,
        not_found=f"the coordination office has heard nothing of settlement {settlement_id}",
    )
    reports = _reports_of(session, [settlement_id]).get(settlement_id, {})
    departments = [
        _department_out(service, reports.get(service)) for service in DOWNSTREAM_SERVICES
    ]
    timeline = session.execute(
        select(TimelineEntry)
        .where(TimelineEntry.settlement_id == settlement_id)
        .order_by(TimelineEntry.occurred_at, TimelineEntry.event_id)
    ).scalars()
    return schemas.ProgressOut(
        settlement_id=settlement_id,
        status=progress.status,
        approval=_approval_out(progress),
        departments=departments,
        next=_next_actions(departments),
        timeline=[
            schemas.TimelineEntryOut.model_validate(entry, from_attributes=True)
            for entry in timeline
        ],
    )


def list_progress(
    session: Session, filters: schemas.ProgressFilter, paging: PageRequest
) -> tuple[list[schemas.ProgressSummaryOut], int]:
    """One page of the settlements the filters match, the oldest approval first."""
    found, total = fetch_page(session, _search(filters), paging)
    reports = _reports_of(session, [p.settlement_id for p in found])
    return [_summary_out(p, reports.get(p.settlement_id, {})) for p in found], total


def _search(filters: schemas.ProgressFilter) -> Select[Any]:
    query = select(SettlementProgress)
    if filters.region_code is not None:
        query = query.where(SettlementProgress.region_code == filters.region_code)
    today = clock.today()
    if filters.min_age_days is not None:
        latest = today - timedelta(days=filters.min_age_days)
        query = query.where(SettlementProgress.decision_date <= latest)
    if filters.max_age_days is not None:
        earliest = today - timedelta(days=filters.max_age_days)
        query = query.where(SettlementProgress.decision_date >= earliest)
    if filters.department is not None:
        query = _by_department(query, filters.department, filters.status)
    elif filters.status is not None:
        query = query.where(SettlementProgress.status == filters.status)
    return query.order_by(
        SettlementProgress.decision_date.is_(None),
        SettlementProgress.decision_date,
        SettlementProgress.settlement_id,
    )


def _by_department(query: Select[Any], service: str, status: str | None) -> Select[Any]:
    """Settlements on which `service` has the given status (any, when None); `awaiting` is
    one it has not reported on yet."""
    joined = query.outerjoin(
        DepartmentReport,
        and_(
            DepartmentReport.settlement_id == SettlementProgress.settlement_id,
            DepartmentReport.service == service,
        ),
    )
    if status == "awaiting":
        return joined.where(DepartmentReport.service.is_(None))
    if status is not None:
        return joined.where(DepartmentReport.status == status)
    return joined


def _reports_of(
    session: Session, settlement_ids: list[str]
) -> dict[str, dict[str, DepartmentReport]]:
    rows = session.execute(
        select(DepartmentReport).where(DepartmentReport.settlement_id.in_(settlement_ids))
    ).scalars()
    found: dict[str, dict[str, DepartmentReport]] = {}
    for row in rows:
        found.setdefault(row.settlement_id, {})[row.service] = row
    return found


def _approval_out(progress: SettlementProgress) -> schemas.ApprovalOut | None:
    if progress.approval_event_id is None or progress.decision_date is None:
        return None
    return schemas.ApprovalOut(
        region_code=progress.region_code or "",
        channel=progress.channel or "",
        household_size=progress.household_size or 0,
        decided_at=progress.decided_at,
        decision_date=progress.decision_date,
        age_days=(clock.today() - progress.decision_date).days,
    )


def _department_out(service: str, report: DepartmentReport | None) -> schemas.DepartmentOut:
    department = SERVICES_BY_NAME[service].department
    if report is None:
        return schemas.DepartmentOut(
            service=service,
            department=department,
            status="awaiting",
            summary=None,
            version=None,
            reported_at=None,
            open_items=[],
        )
    return schemas.DepartmentOut(
        service=service,
        department=department,
        status=report.status,
        summary=report.summary,
        version=report.version,
        reported_at=report.reported_at,
        open_items=[OpenItemOut.model_validate(item) for item in report.open_items],
    )


def _next_actions(departments: list[schemas.DepartmentOut]) -> list[schemas.NextActionOut]:
    """Who must act next: each open item's department (the earliest due first, an item
    without a date last), then each department yet to decide or whose decision failed."""
    actions: list[schemas.NextActionOut] = []
    for part in departments:
        if part.status == "awaiting":
            actions.append(_action(part, "decide", "has not reported on the settlement yet"))
        elif part.status == "failed":
            why = "its decision failed: the event is replayed once the cause is fixed"
            actions.append(_action(part, "replay", why))
        for item in part.open_items:
            action, who = _ITEM_ACTIONS[item.kind]
            actions.append(
                _action(
                    part,
                    action,
                    f"{item.reason}; {who}",
                    field=item.field,
                    member_index=item.member_index,
                    due_on=item.due_on,
                )
            )
    return sorted(actions, key=lambda a: (a.due_on is None, a.due_on or date.min))


def _action(
    part: schemas.DepartmentOut, action: schemas.Action, why: str, **item: Any
) -> schemas.NextActionOut:
    return schemas.NextActionOut(
        service=part.service, department=part.department, action=action, why=why, **item
    )


def _summary_out(
    progress: SettlementProgress, reports: dict[str, DepartmentReport]
) -> schemas.ProgressSummaryOut:
    return schemas.ProgressSummaryOut(
        settlement_id=progress.settlement_id,
        status=progress.status,
        approval=_approval_out(progress),
        departments=[
            schemas.DepartmentStatusOut(
                service=service,
                status=report.status if report else "awaiting",
                open_items=len(report.open_items) if report else 0,
            )
            for service, report in ((s, reports.get(s)) for s in DOWNSTREAM_SERVICES)
        ],
    )
