"""The weekly digest per county for the municipal supervision office (四(三) 纳入市政府督查工作
范围): only counts, no person.

A week is an ISO week (`2026-W48`, Monday to Sunday) on Shaoguan's calendar. What happened in
it is counted from when it happened: approvals by their approval day, settlements by the day
their last department reported them done, follow-ups by when they were opened and closed.
What stands (settlements in progress, open and overdue items, the oldest overdue) is the
office's view on the day the digest is made (`as_of`): the view keeps no past states of items.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from services.coordination import supervision_schemas as schemas
from services.coordination.models import DepartmentReport, FollowUp, SettlementProgress
from services.coordination.open_items import counts_by
from shared import clock, regions
from shared.errors import InvalidInput

_WEEK = re.compile(r"([0-9]{4})-W([0-9]{2})")

COLUMNS = tuple(
    name for name in schemas.CountyDigestOut.model_fields if name not in ("region_code", "county")
)
"""The CSV's figures, after the week and the county."""


def week_starting(week: str | None, today: date) -> date:
    """The Monday of the ISO week `week` (`YYYY-Www`), or of the last full week before
    `today`; a 422 naming `week` when it is not one, or has not begun."""
    if week is None:
        return today - timedelta(days=today.weekday() + 7)
    matched = _WEEK.fullmatch(week)
    try:
        if matched is None:
            raise ValueError("is not an ISO week: YYYY-Www, such as 2026-W48")
        monday = date.fromisocalendar(int(matched[1]), int(matched[2]), 1)
    except ValueError as exc:
        raise _bad_week(str(exc) if matched is None else f"{week} is no week of its year") from exc
    if monday > today:
        raise _bad_week(f"{week} has not begun (today is {today.isoformat()} in Shaoguan)")
    return monday


def _bad_week(reason: str) -> InvalidInput:
    return InvalidInput("no digest for this week", details=[{"field": "week", "reason": reason}])


def weekly_digest(session: Session, week: str | None = None) -> schemas.DigestOut:
    """Every county's figures for `week` (default: the last full week)."""
    today = clock.today()
    monday = week_starting(week, today)
    sunday = monday + timedelta(days=6)
    start, end = clock.day_start(monday), clock.day_start(sunday + timedelta(days=1))
    region = SettlementProgress.region_code
    flows = {
        "approvals": _count(
            session, SettlementProgress.decision_date.between(monday, sunday), approved=True
        ),
        "settled": _settled(session, start, end),
        "in_progress": _count(session, SettlementProgress.status != "settled", approved=True),
        "follow_ups_opened": _follow_ups(session, FollowUp.opened_at, start, end),
        "follow_ups_closed": _follow_ups(session, FollowUp.closed_at, start, end),
    }
    items = counts_by(session, region, today)
    iso_year, iso_week, _ = monday.isocalendar()
    return schemas.DigestOut(
        week=f"{iso_year}-W{iso_week:02d}",
        starts_on=monday,
        ends_on=sunday,
        complete=sunday < today,
        as_of=today,
        counties=[
            schemas.CountyDigestOut(
                region_code=code,
                county=name,
                open_items=items[code].open if code in items else 0,
                overdue_items=items[code].overdue if code in items else 0,
                oldest_overdue_days=items[code].oldest_overdue_days if code in items else None,
                **{figure: counted.get(code, 0) for figure, counted in flows.items()},
            )
            for code, name in regions.SHAOGUAN_COUNTIES.items()
        ],
    )


def _count(
    session: Session, condition: ColumnElement[bool], *, approved: bool
) -> dict[str | None, int]:
    region = SettlementProgress.region_code
    query = select(region, func.count()).where(condition)
    if approved:
        query = query.where(SettlementProgress.approval_event_id.is_not(None))
    return {code: int(n) for code, n in session.execute(query.group_by(region))}


def _settled(session: Session, start: datetime, end: datetime) -> dict[str | None, int]:
    """Settlements settled now whose last department's report was made in [start, end)."""
    last = (
        select(
            DepartmentReport.settlement_id.label("settlement_id"),
            func.max(DepartmentReport.reported_at).label("at"),
        )
        .group_by(DepartmentReport.settlement_id)
        .subquery()
    )
    region = SettlementProgress.region_code
    query = (
        select(region, func.count())
        .join(last, last.c.settlement_id == SettlementProgress.settlement_id)
        .where(SettlementProgress.status == "settled", last.c.at >= start, last.c.at < end)
        .group_by(region)
    )
    return {code: int(n) for code, n in session.execute(query)}


def _follow_ups(
    session: Session, column: Any, start: datetime, end: datetime
) -> dict[str | None, int]:
    region = SettlementProgress.region_code
    query = (
        select(region, func.count())
        .select_from(FollowUp)
        .join(SettlementProgress, SettlementProgress.settlement_id == FollowUp.settlement_id)
        .where(column >= start, column < end)
        .group_by(region)
    )
    return {code: int(n) for code, n in session.execute(query)}


def as_csv(digest: schemas.DigestOut) -> str:
    """The digest as CSV: a header row, then one row per county (an empty cell: none)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("week", "region_code", "county", *COLUMNS))
    for county in digest.counties:
        values = county.model_dump()
        writer.writerow(
            (
                digest.week,
                county.region_code,
                county.county,
                *("" if values[c] is None else values[c] for c in COLUMNS),
            )
        )
    return out.getvalue()
