"""The coordination office's answers, and the filters of its list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from services.coordination.progress import DepartmentStatus, OverallStatus
from shared.fields import ShaoguanCounty
from shared.follow_through.model import OpenItemOut
from shared.pagination import Page
from shared.registry import DOWNSTREAM_SERVICES

Service = Literal[DOWNSTREAM_SERVICES]  # type: ignore[valid-type]

Action = Literal[
    "decide", "replay", "supply_information", "record_parameter", "record_confirmation"
]


class ApprovalOut(BaseModel):
    """What every reader of the approval sees: nothing of it names or describes a person."""

    region_code: str
    channel: str
    household_size: int
    decided_at: datetime
    decision_date: date
    age_days: int = Field(description="days since the approval day, on Shaoguan's calendar")


class DepartmentOut(BaseModel):
    """One department's part: its latest report (`awaiting` before the first)."""

    service: str
    department: str
    status: DepartmentStatus
    summary: str | None
    version: int | None
    reported_at: datetime | None
    open_items: list[OpenItemOut]


class NextActionOut(BaseModel):
    """Who must act next, and on what: one line per open item, and per department that has
    not decided or whose decision failed; the earliest due first."""

    service: str
    department: str
    action: Action
    why: str
    field: str | None = None
    member_index: int | None = None
    due_on: date | None = None


class TimelineEntryOut(BaseModel):
    """One event of the settlement, in the order they were made."""

    event_id: str
    type: str
    service: str
    occurred_at: datetime
    status: str | None
    version: int | None
    open_items: int
    summary: str


class ProgressOut(BaseModel):
    """`GET /v1/settlements/{id}`: the family's progress across every bureau."""

    settlement_id: str
    status: OverallStatus
    approval: ApprovalOut | None = Field(
        description="None while the office has read a department's report before the approval"
    )
    departments: list[DepartmentOut]
    next: list[NextActionOut]
    timeline: list[TimelineEntryOut]


class DepartmentStatusOut(BaseModel):
    service: str
    status: DepartmentStatus
    open_items: int


class ProgressSummaryOut(BaseModel):
    """One settlement of the list."""

    settlement_id: str
    status: OverallStatus
    approval: ApprovalOut | None
    departments: list[DepartmentStatusOut]


ProgressPage = Page[ProgressSummaryOut]


class ProgressFilter(BaseModel):
    """The list's query; every filter given must hold. With `department`, `status` is that
    department's status; without it, the family's."""

    region_code: ShaoguanCounty | None = Field(None, description="the county settled in")
    department: Service | None = Field(None, description="a department that follows settlements")
    status: DepartmentStatus | Literal["settled"] | None = None
    min_age_days: int | None = Field(
        None, ge=0, le=36_500, description="approved at least this many days ago"
    )
    max_age_days: int | None = Field(
        None, ge=0, le=36_500, description="approved at most this many days ago"
    )

    def contradictions(self) -> list[dict[str, str]]:
        """Filters that could match nothing, each as the field and why (a 422 names them)."""
        found = []
        if self.department is None and self.status == "done":
            found.append(("status", "done is a department's status: a family is settled"))
        if self.department is not None and self.status == "settled":
            found.append(("status", "settled is a family's status: a department is done"))
        if (self.min_age_days or 0) > (
            self.max_age_days if self.max_age_days is not None else 36_500
        ):
            found.append(("min_age_days", "more than max_age_days: nothing could match"))
        return [{"field": field, "reason": reason} for field, reason in found]
