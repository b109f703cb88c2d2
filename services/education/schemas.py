"""Education's request and response bodies, with validation a case worker can read, and the
names they give places."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from services.education.rules import Outcome, Stage
from shared import regions
from shared.fields import PastDate, Strict
from shared.follow_through import FollowThroughOut

TransferStatus = Literal["requested", "completed"]


def place_name(code: str) -> str:
    """A region as a notice names it: "韶关市武江区", "广东省梅州市梅江区", or the bare code."""
    if regions.is_shaoguan_county(code):
        return f"韶关市{regions.SHAOGUAN_COUNTIES[code]}"
    described = regions.describe(code)
    return described.split(" ", 1)[1] if " " in described else code


class CompletionIn(Strict):
    """The receiving side confirms a student-status transfer (学籍转接) is done."""

    completed_on: PastDate | None = Field(
        default=None, description="The day the transfer was completed (default: today in Shaoguan)"
    )
    receiving_school: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    note: Annotated[str, Field(max_length=1000)] | None = None


class NoticeOut(BaseModel):
    """The notice to the family: recorded with the time it was issued; this platform does not
    deliver it (delivery is the county education bureau's)."""

    text: str
    sent_at: datetime
    delivery: str = "recorded; delivered by the county education bureau, not by this platform"


class PlacementOut(BaseModel):
    member_index: int = Field(description="The member's position in settlement.approved")
    name: str
    id_number: str
    relation: str
    birth_date: date
    school_year: str = Field(examples=["2019-2020"])
    school_year_start: date
    age_at_school_year_start: int | None = Field(description="None: not yet born on that day")
    outcome: Outcome
    stage: Stage | None
    county: str
    county_name: str
    clause: str
    reason: str
    information_needed: list[str] = Field(
        default=[], description="What a placement not yet decided waits on, as its open items"
    )
    notice: NoticeOut | None = None


class TransferOut(BaseModel):
    """A student-status transfer as recorded (read from its row), naming both counties."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    settlement_id: str
    member_index: int
    name: str
    id_number: str
    birth_date: date
    stage: Stage
    from_region_code: str
    to_region_code: str
    status: TransferStatus
    clause: str
    reason: str
    requested_at: datetime
    completed_on: date | None = None
    completed_at: datetime | None = None
    completed_by: str | None = None
    receiving_school: str | None = None
    note: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def from_region_name(self) -> str:
        return place_name(self.from_region_code)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def to_region_name(self) -> str:
        return place_name(self.to_region_code)


class SettlementOut(FollowThroughOut):
    """What education decided for one settlement: a placement per child (三(八)), the notices
    sent and the transfers requested; and, first, what it still has open."""

    destination_region_code: str
    destination_region_name: str
    decision_date: date
    rules_version: str | None
    clause: str
    school_year: str
    school_year_start: date
    placements: list[PlacementOut]
    transfers: list[TransferOut]
    information_needed: list[str]
    parameters_used: list[dict[str, Any]]
    summary: str
    processed_at: datetime


class StageNeedOut(BaseModel):
    """A stage's places this school year and next (read from the plan's `StageNeed`)."""

    model_config = ConfigDict(from_attributes=True)

    stage: Stage
    this_year: int
    next_year: int
    change: int


class PlacesOut(BaseModel):
    this_year: int
    next_year: int
    change: int


class PlanningOut(BaseModel):
    """Places settled families need in a county, by stage, this school year and next (三(八))."""

    region_code: str
    region_name: str
    clause: str
    school_year: str
    school_year_start: date
    next_school_year: str
    next_school_year_start: date
    basis: str
    children_counted: int
    stages: list[StageNeedOut]
    compulsory: PlacesOut | None
    entering_preschool_next_year: int
    leaving_senior_high_next_year: int
    information_needed: list[str] = []
    parameters_used: list[dict[str, Any]]
