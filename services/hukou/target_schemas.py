"""The bodies of the settlement targets (二.7): a county's target, and the public-service
supply the platform knows beside it."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from shared.fields import Strict


class TargetIn(Strict):
    target_persons: Annotated[int, Field(ge=0, le=10_000_000)]
    note: Annotated[str, Field(max_length=1000)] | None = None


class SupplyFigureOut(BaseModel):
    """One figure of a county's public-service supply, as the department that holds it said,
    or `unknown` with the reason (the target still answers)."""

    status: Literal["known", "unknown"]
    value: int | None = Field(description="null when unknown")
    reason: str


class SupplyOut(BaseModel):
    """The public-service supply the platform knows of a county, beside its target (二.7
    "根据我市公共服务资源供给情况"): housing's waiting list (三(五)) and education's
    compulsory-school places (三(八)) for the school year starting in the target's year, and
    the next."""

    clause: str = "二.7"
    housing_waiting_households: SupplyFigureOut
    housing_waiting_persons: SupplyFigureOut
    compulsory_school_places: SupplyFigureOut
    compulsory_school_places_next_year: SupplyFigureOut


class TargetOut(BaseModel):
    year: int
    region_code: str
    region_name: str
    target_persons: int | None
    settled_persons: int
    approved_applications: int
    note: str | None = None
    advisory: str
    supply: SupplyOut = Field(
        description="What public security adjusts the target to; it never refuses anyone"
    )
