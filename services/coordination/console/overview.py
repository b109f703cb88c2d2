"""全市总览, and the page of one county or one department: who owes a family what (四(三)).

The overview counts a year's approvals per county by where each family now stands (settled, in
progress, failed), beside the open items overdue today, whatever the year they were approved;
draws the approvals month by month and each county against public security's target for the
year (二.7, read from hukou with the official's own token, so a department that may not read the
targets sees why instead); and counts each department's open items. A county's page and a
department's list what they owe, the oldest first: every open item by its due day, and the
families not yet done by their approval day (a county's: every one still followed or failed; a
department's: those it has not reported on, or failed).

Everything but the targets comes from the office's read model, which names no one.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.coordination import open_items, views
from services.coordination.console.charts import bar_chart, line_chart
from services.coordination.console.departments import departments
from services.coordination.console.render import render
from services.coordination.console.session import (
    ConsoleUser,
    PageNotFound,
    SignedIn,
    require,
)
from services.coordination.models import SettlementProgress, SupervisedItem
from services.coordination.schemas import ProgressFilter, ProgressSummaryOut
from services.coordination.supervision_schemas import DueItemOut, ItemCounts, OpenItemsFilter
from shared import clock, labels, regions
from shared.pagination import PageRequest
from shared.registry import DOWNSTREAM_SERVICES, SERVICES_BY_NAME
from shared.routes import read_session

READS = "coordination:read"
"""Who sees the whole city: the office, public security that leads it, audit (四(一), 四(四))."""

SHOWN = 200
"""The most open items, or unreported families, a county's or a department's page lists."""

IN_PROGRESS = ("awaiting", "action_needed")
"""A family's statuses while some department still follows it through."""

UNFINISHED = (*IN_PROGRESS, "failed")
"""A family's statuses until every department is done: what a county's page lists."""

UNREPORTED = ("awaiting", "failed")
"""A department's statuses a department's page lists beside its open items: no report yet,
or a failure (its `action_needed` families are in the items)."""

Reading = Annotated[Session, Depends(read_session)]
Year = Annotated[int | None, Query(ge=2016, le=2100, description="default: this year")]
router = APIRouter(include_in_schema=False)


@dataclass
class Approvals:
    """A county's (or the city's) approvals of a year, by where each family now stands."""

    families: int = 0
    persons: int = 0
    by_status: Counter[str] = field(default_factory=Counter)

    def add(self, status: str, persons: int) -> None:
        self.families += 1
        self.persons += persons
        self.by_status[status] += 1

    @property
    def settled(self) -> int:
        return self.by_status["settled"]

    @property
    def in_progress(self) -> int:
        return sum(self.by_status[status] for status in IN_PROGRESS)

    @property
    def failed(self) -> int:
        return self.by_status["failed"]


@dataclass(frozen=True)
class CountyRow:
    """One line of the overview's table: a county, its approvals and its items overdue today."""

    region_code: str
    approvals: Approvals
    items: ItemCounts


@dataclass(frozen=True)
class Target:
    """A county's target for the year as public security set it (None: not set)."""

    region_code: str
    target_persons: int | None


@dataclass(frozen=True)
class Targets:
    """The year's targets, or why the console could not read them."""

    counties: list[Target] = field(default_factory=list)
    problem: str | None = None


def approvals_of(session: Session, year: int) -> tuple[dict[str, Approvals], list[Approvals]]:
    """The year's approvals per county, and per month of the year (twelve, January first), by
    the approval's day on Shaoguan's calendar."""
    rows: Iterable[Any] = session.execute(
        select(
            SettlementProgress.region_code,
            SettlementProgress.status,
            SettlementProgress.household_size,
            SettlementProgress.decision_date,
        ).where(
            SettlementProgress.approval_event_id.is_not(None),
            SettlementProgress.decision_date.between(date(year, 1, 1), date(year, 12, 31)),
        )
    )
    counties: dict[str, Approvals] = {}
    months = [Approvals() for _ in range(12)]
    for region_code, status, household_size, decided_on in rows:
        persons = household_size or 0
        counties.setdefault(region_code or "", Approvals()).add(status, persons)
        months[decided_on.month - 1].add(status, persons)
    return counties, months


def county_rows(session: Session, year: int, today: date) -> tuple[list[CountyRow], CountyRow]:
    """Every county of Shaoguan in the contract's order, and the city's total."""
    approvals, _ = approvals_of(session, year)
    items = open_items.counts_by(session, SettlementProgress.region_code, today)
    rows = [
        CountyRow(code, approvals.get(code, Approvals()), items.get(code, _no_items()))
        for code in regions.SHAOGUAN_COUNTIES
    ]
    city = Approvals()
    for county in approvals.values():
        city.families += county.families
        city.persons += county.persons
        city.by_status.update(county.by_status)
    total = open_items.counts_by(session, None, today).get(None, _no_items())
    return rows, CountyRow(regions.SHAOGUAN, city, total)


def department_counts(session: Session, today: date) -> list[tuple[str, ItemCounts]]:
    """Each department's open items today, in the contract's order of services."""
    found = open_items.counts_by(session, SupervisedItem.service, today)
    return [(service, found.get(service, _no_items())) for service in DOWNSTREAM_SERVICES]


def read_targets(user: ConsoleUser, request: Request, year: int) -> Targets:
    """Public security's targets of `year`, asked of hukou with the official's token."""
    answer = departments(request).targets(user.token, year)
    if not answer.ok:
        return Targets(
            problem=f"{labels.department('public_security')}的年度目标暂不可读:{answer.message}"
        )
    counties = [
        Target(str(row.get("region_code")), row.get("target_persons"))
        for row in answer.rows
        if isinstance(row, dict)
    ]
    return Targets(counties=counties)


def months_chart(year: int, months: list[Approvals]) -> Markup:
    """The year's approvals month by month: families, and the people settling with them."""
    return line_chart(
        f"{year} 年每月批准落户",
        [f"{n}月" for n in range(1, 13)],
        {
            "批准户数": [float(m.families) for m in months],
            "落户人数": [float(m.persons) for m in months],
        },
    )


def targets_chart(year: int, rows: list[CountyRow], targets: Targets) -> Markup:
    """Each county's people approved in `year` against its target (a county without one: no bar)."""
    set_for = {t.region_code: t.target_persons for t in targets.counties}
    return bar_chart(
        f"{year} 年各区县落户人数与年度目标",
        [regions.region_name(row.region_code) or row.region_code for row in rows],
        {
            "已批准落户人数": [float(row.approvals.persons) for row in rows],
            "年度目标人数": [_number(set_for.get(row.region_code)) for row in rows],
        },
    )


@router.get("/console/")
def overview_page(
    request: Request, user: SignedIn, session: Reading, year: Year = None
) -> Response:
    if not user.has(READS):
        # A department's official starts on its own queue: the city is the office's to watch.
        return RedirectResponse("/console/queue", 303)
    today = clock.today()
    chosen = year or today.year
    rows, city = county_rows(session, chosen, today)
    _, months = approvals_of(session, chosen)
    targets = read_targets(user, request, chosen)
    return render(
        request,
        user,
        "overview.html",
        year=chosen,
        years=list(range(today.year, 2016, -1)),
        today=today,
        rows=rows,
        city=city,
        months_chart=months_chart(chosen, months),
        targets=targets,
        targets_chart=targets_chart(chosen, rows, targets) if targets.counties else None,
        departments=department_counts(session, today),
    )


@router.get("/console/counties/{region_code}")
def county_page(
    request: Request,
    user: SignedIn,
    session: Reading,
    region_code: Annotated[str, Path(min_length=1, max_length=6)],
) -> Response:
    require(user, READS)
    if not regions.is_shaoguan_county(region_code):
        raise PageNotFound(user, f"韶关市没有行政区划代码为 {region_code} 的区县")
    today = clock.today()
    items, total = owed_items(session, OpenItemsFilter(region_code=region_code))
    families, owing = unfinished(session, ProgressFilter(region_code=region_code), UNFINISHED)
    return render(
        request,
        user,
        "owed.html",
        title=regions.region_name(region_code),
        subject="county",
        counts=open_items.counts_by(session, SettlementProgress.region_code, today).get(
            region_code, _no_items()
        ),
        items=items,
        items_total=total,
        families=families,
        families_total=owing,
        shown=SHOWN,
    )


@router.get("/console/departments/{service}")
def department_page(
    request: Request,
    user: SignedIn,
    session: Reading,
    service: Annotated[str, Path(min_length=1, max_length=40)],
) -> Response:
    require(user, READS)
    if service not in DOWNSTREAM_SERVICES:
        raise PageNotFound(user, f"没有承办落户配套事项的业务 {service}")
    today = clock.today()
    items, total = owed_items(session, OpenItemsFilter(department=service))
    families, owing = unfinished(session, ProgressFilter(department=service), UNREPORTED)
    entry = SERVICES_BY_NAME[service]
    return render(
        request,
        user,
        "owed.html",
        title=f"{labels.department(entry.department)} · {labels.service(service)}",
        subject="department",
        service=service,
        counts=open_items.counts_by(session, SupervisedItem.service, today).get(
            service, _no_items()
        ),
        items=items,
        items_total=total,
        families=families,
        families_total=owing,
        shown=SHOWN,
    )


def owed_items(session: Session, filters: OpenItemsFilter) -> tuple[list[DueItemOut], int]:
    """Every open item the filters match, dated or not, the oldest due first."""
    every = filters.model_copy(update={"due_by": date.max, "include_undated": True})
    return open_items.list_due(session, every, PageRequest(page_size=SHOWN))


def unfinished(
    session: Session, filters: ProgressFilter, statuses: Iterable[str]
) -> tuple[list[ProgressSummaryOut], int]:
    """The families the filters match in any of `statuses` (the family's, or with `department`
    that department's), the oldest approval first, as the office's list orders them."""
    pages = [
        views.list_progress(
            session, filters.model_copy(update={"status": status}), PageRequest(page_size=SHOWN)
        )
        for status in statuses
    ]
    merged = heapq.merge(*(found for found, _ in pages), key=_approval_order)
    return list(islice(merged, SHOWN)), sum(total for _, total in pages)


def _approval_order(summary: ProgressSummaryOut) -> tuple[bool, date, str]:
    decided_on = summary.approval.decision_date if summary.approval else None
    return decided_on is None, decided_on or date.min, summary.settlement_id


def _no_items() -> ItemCounts:
    return ItemCounts(open=0, due=0, overdue=0, oldest_overdue_days=None)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) else None
