"""The supervision's questions and answers (四(三) 纳入市政府督查工作范围): open items due, the
follow-up list, the weekly digest, the incidents. Only ids, departments, counties and counts:
nothing names or describes a person."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from services.coordination.schemas import Service
from shared.fields import InstitutionalText, ShaoguanCounty, Strict
from shared.follow_through.model import ItemKind
from shared.pagination import Page

OfficeText = Annotated[InstitutionalText, Field(min_length=1, max_length=80)]
ContactText = Annotated[InstitutionalText, Field(min_length=1, max_length=120)]
NoteText = Annotated[InstitutionalText, Field(max_length=1000)]


class OpenItemsFilter(BaseModel):
    """`GET /v1/open-items`: every filter given must hold."""

    due_by: date | None = Field(
        None, description="items due on or before this day (default: today in Shaoguan)"
    )
    include_undated: bool = Field(False, description="also the items that carry no due date")
    region_code: ShaoguanCounty | None = Field(None, description="the county settled in")
    department: Service | None = Field(None, description="the department's service")


class DueItemOut(BaseModel):
    """One open item of one department's latest report, with how late it is."""

    settlement_id: str
    service: str
    department: str
    region_code: str | None = Field(description="None while the approval is not read yet")
    item_id: str
    member_index: int | None
    kind: ItemKind
    field: str
    reason: str
    opened_at: datetime
    due_on: date | None
    overdue_days: int = Field(description="days past due on Shaoguan's calendar; 0 if not past")
    chased: bool = Field(description="an open follow-up chases it")
    follow_up_id: str | None


DueItemPage = Page[DueItemOut]


class ItemCounts(BaseModel):
    """Open items of a county or a department on `as_of`: all open, those due by then, those
    past due, and the oldest past due's age in days (None: none past due)."""

    open: int
    due: int
    overdue: int
    oldest_overdue_days: int | None


class CountyItemCounts(ItemCounts):
    region_code: str | None = Field(description="None: settlements whose approval is not read")


class DepartmentItemCounts(ItemCounts):
    service: str
    department: str


class OpenItemsSummaryOut(BaseModel):
    """`GET /v1/open-items/summary`: the counts per county and per department."""

    as_of: date
    total: ItemCounts
    counties: list[CountyItemCounts]
    departments: list[DepartmentItemCounts]


class AskedIn(Strict):
    """Whom the office asked: an office, and how to reach it (no person's identity data)."""

    office: OfficeText = Field(description="the department or office asked, e.g. 住房保障科")
    contact: ContactText = Field(description="how it was reached: a desk, a phone line, a mail")


class FollowUpIn(Strict):
    """`POST /v1/follow-ups`: chase one open item; again while it is open adds a chase."""

    settlement_id: str = Field(min_length=1, max_length=64)
    item_id: str = Field(min_length=1, max_length=64)
    service: Service | None = Field(
        None, description="the item's department; needed only when two list the same item id"
    )
    asked: AskedIn
    note: NoteText = ""


class ChaseOut(BaseModel):
    chased_at: datetime
    chased_by: str
    asked_office: str
    asked_contact: str
    note: str


class FollowUpOut(BaseModel):
    """One follow-up: the item chased, each chase, and how it closed."""

    id: str
    settlement_id: str
    service: str
    department: str
    region_code: str | None
    item_id: str
    field: str
    kind: ItemKind
    due_on: date | None
    state: Literal["open", "closed"]
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None
    closed_by_event_id: str | None
    closed_reason: str | None
    chases: list[ChaseOut]


FollowUpPage = Page[FollowUpOut]


class FollowUpFilter(BaseModel):
    """`GET /v1/follow-ups`: every filter given must hold."""

    state: Literal["open", "closed"] | None = None
    region_code: ShaoguanCounty | None = Field(None, description="the county settled in")
    department: Service | None = Field(None, description="the department's service")


class CountyDigestOut(BaseModel):
    """One county's week. Flows (`approvals` .. `follow_ups_closed`) count what happened that
    week; stocks (`in_progress`, `open_items`, `overdue_items`, `oldest_overdue_days`) are
    the office's view on `as_of`, the day the digest was made."""

    region_code: str
    county: str
    approvals: int
    settled: int
    in_progress: int
    open_items: int
    overdue_items: int
    follow_ups_opened: int
    follow_ups_closed: int
    oldest_overdue_days: int | None


class DigestOut(BaseModel):
    """`GET /v1/supervision/digest`: the week per county for the municipal supervision office."""

    week: str
    starts_on: date
    ends_on: date
    complete: bool = Field(description="false while the week has not ended")
    as_of: date
    counties: list[CountyDigestOut]


class FailedDepartmentOut(BaseModel):
    settlement_id: str
    service: str
    department: str
    region_code: str | None
    summary: str
    failed_at: datetime
    age_days: int = Field(description="days since the failure, on Shaoguan's calendar")


class SilentDepartmentOut(BaseModel):
    """A department with approvals awaiting its first report longer than the parameter."""

    service: str
    department: str
    waiting: int = Field(description="settlements awaiting its first report past the limit")
    oldest_waiting_hours: int
    last_report_at: datetime | None
    hours_since_last_report: int | None


class DeadLettersOut(BaseModel):
    """One consumer's dead letters not yet replayed (its group is its service's name)."""

    consumer: str
    department: str
    waiting: int | None = Field(description="None: the event bus did not answer")
    oldest_dead_lettered_at: datetime | None = Field(
        description="when the oldest waiting one was dead-lettered; None: none waits, the bus "
        "did not answer, or it was dead-lettered before the time was kept"
    )
    oldest_age_hours: int | None
    oldest_age_days: int | None = Field(description="calendar days in Shaoguan")


class IncidentsOut(BaseModel):
    """`GET /v1/incidents`: what stopped, as the office sees it."""

    as_of: datetime
    failed: list[FailedDepartmentOut]
    silence_limit: str | None = Field(
        description="the parameter the silence is judged by, cited; None: none in force"
    )
    silent: list[SilentDepartmentOut]
    dead_letters: list[DeadLettersOut] = Field(
        description="every consumer of the platform, in the registry's order"
    )
