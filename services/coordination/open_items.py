"""The open items due across every department, and their counts (四(三) 督查: who is late).

An item is due on its `due_on` and overdue from the day after, on Shaoguan's calendar; an item
without a due date is never due (the list takes it only when asked to). Items are the ones the
departments' latest reports list (`supervision.report_applied`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from services.coordination import supervision_schemas as schemas
from services.coordination.models import FollowUp, SettlementProgress, SupervisedItem
from services.coordination.supervision import OPEN
from shared import clock, regions
from shared.pagination import PageRequest, fetch_page
from shared.registry import DOWNSTREAM_SERVICES, SERVICES_BY_NAME


def overdue_days(due_on: date | None, as_of: date) -> int:
    """Days past `due_on` on `as_of` (0 when not yet past, or undated)."""
    return max(0, (as_of - due_on).days) if due_on is not None else 0


def list_due(
    session: Session, filters: schemas.OpenItemsFilter, paging: PageRequest
) -> tuple[list[schemas.DueItemOut], int]:
    """One page of the items due by `filters.due_by` (today by default), the oldest due
    first, undated ones (when asked for) last."""
    today = clock.today()
    due_by = filters.due_by or today
    due = SupervisedItem.due_on <= due_by
    if filters.include_undated:
        due = due | SupervisedItem.due_on.is_(None)
    query = _joined(select(SupervisedItem)).where(due)
    if filters.region_code is not None:
        query = query.where(SettlementProgress.region_code == filters.region_code)
    if filters.department is not None:
        query = query.where(SupervisedItem.service == filters.department)
    query = query.order_by(
        SupervisedItem.due_on.is_(None),
        SupervisedItem.due_on,
        SupervisedItem.opened_at,
        SupervisedItem.settlement_id,
        SupervisedItem.service,
        SupervisedItem.item_id,
    )
    found, total = fetch_page(session, query, paging)
    settlements = {item.settlement_id for item in found}
    counties = region_codes(session, settlements)
    chasing = _open_follow_ups(session, settlements)
    return [
        schemas.DueItemOut(
            settlement_id=item.settlement_id,
            service=item.service,
            department=SERVICES_BY_NAME[item.service].department,
            region_code=counties.get(item.settlement_id),
            item_id=item.item_id,
            member_index=item.member_index,
            kind=item.kind,
            field=item.field,
            reason=item.reason,
            opened_at=item.opened_at,
            due_on=item.due_on,
            overdue_days=overdue_days(item.due_on, today),
            chased=(key := (item.settlement_id, item.service, item.item_id)) in chasing,
            follow_up_id=chasing.get(key),
        )
        for item in found
    ], total


def summary(session: Session, as_of: date) -> schemas.OpenItemsSummaryOut:
    """The counts on `as_of` per county (every county of Shaoguan, then settlements whose
    approval is not read yet, if any) and per department."""
    by_county = counts_by(session, SettlementProgress.region_code, as_of)
    by_service = counts_by(session, SupervisedItem.service, as_of)
    counties = [
        schemas.CountyItemCounts(region_code=code, **by_county.pop(code, _none()).model_dump())
        for code in regions.SHAOGUAN_COUNTIES
    ]
    counties += [
        schemas.CountyItemCounts(region_code=code, **found.model_dump())
        for code, found in by_county.items()
    ]
    return schemas.OpenItemsSummaryOut(
        as_of=as_of,
        total=counts_by(session, None, as_of).get(None, _none()),
        counties=counties,
        departments=[
            schemas.DepartmentItemCounts(
                service=service,
                department=SERVICES_BY_NAME[service].department,
                **by_service.get(service, _none()).model_dump(),
            )
            for service in DOWNSTREAM_SERVICES
        ],
    )


def counts_by(session: Session, column: Any, as_of: date) -> dict[Any, schemas.ItemCounts]:
    """The item counts on `as_of` grouped by `column` (one group, keyed None, without it)."""
    due = SupervisedItem.due_on <= as_of
    overdue = SupervisedItem.due_on < as_of
    figures = (
        func.count(),
        func.coalesce(func.sum(case((due, 1), else_=0)), 0),
        func.coalesce(func.sum(case((overdue, 1), else_=0)), 0),
        func.min(case((overdue, SupervisedItem.due_on), else_=None)),
    )
    rows: Iterable[Any]
    if column is None:
        rows = [(None, *session.execute(_joined(select(*figures))).one())]
    else:
        rows = session.execute(_joined(select(column, *figures)).group_by(column)).all()
    return {
        key: schemas.ItemCounts(
            open=int(count),
            due=int(due_count),
            overdue=int(overdue_count),
            oldest_overdue_days=overdue_days(_as_date(oldest), as_of) if oldest else None,
        )
        for key, count, due_count, overdue_count, oldest in rows
        if count
    }


def region_codes(session: Session, settlement_ids: Iterable[str]) -> dict[str, str | None]:
    """The county of each settlement the office has read the approval of."""
    rows = session.execute(
        select(SettlementProgress.settlement_id, SettlementProgress.region_code).where(
            SettlementProgress.settlement_id.in_(list(settlement_ids))
        )
    )
    return {settlement_id: code for settlement_id, code in rows}


def _joined(query: Select[Any]) -> Select[Any]:
    """`query` over the items, each with its settlement (a report read before its approval
    has none: its county is None)."""
    return query.select_from(SupervisedItem).outerjoin(
        SettlementProgress, SettlementProgress.settlement_id == SupervisedItem.settlement_id
    )


def _open_follow_ups(session: Session, settlement_ids: set[str]) -> dict[tuple[str, str, str], str]:
    rows = session.execute(
        select(FollowUp.settlement_id, FollowUp.service, FollowUp.item_id, FollowUp.id).where(
            and_(FollowUp.settlement_id.in_(list(settlement_ids)), FollowUp.state == OPEN)
        )
    )
    return {(s, service, item): follow_up for s, service, item, follow_up in rows}


def _none() -> schemas.ItemCounts:
    return schemas.ItemCounts(open=0, due=0, overdue=0, oldest_overdue_days=None)


def _as_date(value: date | str) -> date:
    # min() over a column comes back without the column's type on SQLite.
    return date.fromisoformat(value) if isinstance(value, str) else value
