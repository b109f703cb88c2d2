"""Pension's bodies: the origin's confirmation in, the decisions out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from services.pension.rules.base import ContinuationStatus, MonthsSource, SchemeOrUnknown
from shared.fields import Months, RegionCode, Strict
from shared.follow_through import FollowThroughOut

# --- the origin's confirmation ---------------------------------------------------------------


class ConfirmationIn(Strict):
    """The origin's confirmation of the months of pension insurance carried over."""

    months_carried_over: Annotated[
        Months,
        # strict: "14", 14.5 or true are refused, not read as a number of months
        Field(
            strict=True, description="Whole months of contributions the origin confirms (0 to 1200)"
        ),
    ]
    origin_region_code: RegionCode | None = Field(
        default=None, description="The confirming origin's GB/T 2260 code, when it differs"
    )
    reference: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="The origin's transfer document (参保缴费凭证) number"
    )


# --- answers ---------------------------------------------------------------------------------


class ConfirmationOut(BaseModel):
    months_carried_over: int
    origin_region_code: str
    reference: str | None
    confirmed_at: datetime
    confirmed_by: str


class ContinuationOut(BaseModel):
    """One adult's continuation; the identity number is shown masked, never whole."""

    id: str
    settlement_id: str
    member_index: int
    relation: str
    id_number_masked: str
    age_on_decision_date: int
    scheme: SchemeOrUnknown
    months_stated: int | None = Field(description="As the application gave them (None: unknown)")
    months_carried_over: int | None = Field(description="None: unknown until the origin confirms")
    months_source: MonthsSource | None = Field(
        description="application: as stated; origin_confirmation: as the origin confirmed them"
    )
    origin_region_code: str
    status: ContinuationStatus
    clause: str
    reason: str
    missing: list[str] = Field(
        description="The facts (`social_insurance.employer_paid`) or parameters "
        "(`parameters.<name>`) it still needs; each is an open item of the settlement"
    )
    parameters: list[dict[str, Any]]
    pension_age: str | None = Field(
        description="The statutory pension age under the law in force on the decision date; "
        "None where it depends on facts not given (the reason lists each possible age)"
    )
    pension_age_reached_on: date | None
    confirmation: ConfirmationOut | None = None


class SettlementOut(FollowThroughOut):
    """What pension decided on one settlement (三(七)): a continuation per adult, and what it
    still has open (docs/contract.md, "Follow-through")."""

    decision_date: date
    destination_region_code: str
    rules_version: str | None
    household_size: int
    processed_at: datetime = Field(description="When pension last decided the settlement")
    continuations: list[ContinuationOut]
