"""Civil affairs' response bodies: what it decided of a settled household, and why."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.civil_affairs.rules import STANDARD_UNIT, Outcome
from shared.follow_through import FollowThroughOut
from shared.rules import CheckOutcome


class CheckOut(BaseModel):
    """One check as stored with its assessment and shown: a rule's `Check`, read as it is."""

    model_config = ConfigDict(from_attributes=True)

    rule: str
    clause: str
    passed: bool
    outcome: CheckOutcome
    reason: str
    missing: list[str] = []


class ParameterUsedOut(BaseModel):
    """The version of a local parameter a decision used."""

    name: str
    value: float | int | str | bool
    unit: str | None = None
    region_code: str | None = None
    valid_from: date
    valid_to: date | None = None
    source: str
    department: str


class FactsOut(BaseModel):
    """The facts the assessment was made on, as the settlement gave them."""

    monthly_household_income: Any = Field(description="housing.monthly_household_income, yuan")
    household_size: int = Field(description="the members settling (len(members))")
    destination_region_code: str
    decision_date: date = Field(
        description="the settlement's decision date: the standard is the one in force on it"
    )


class AssessmentOut(BaseModel):
    """The household's minimum living guarantee (最低生活保障) assessment, 三(七)."""

    outcome: Outcome
    clause: str
    eligible: bool | None = Field(description="None while information is needed")
    per_capita_income: float | None = Field(
        description="the household's monthly income per member, yuan, shown to the fen"
    )
    standard: float | None = Field(description="the standard in force, yuan per person a month")
    unit: str = STANDARD_UNIT
    comparison: str = "eligible when the per-capita income is strictly below the standard"
    information_needed: list[str]
    checks: list[CheckOut]
    parameters_used: list[ParameterUsedOut]
    facts: FactsOut
    rules_version: str | None = Field(description="the settlement decision's rules version")
    assessed_at: datetime


class SettlementOut(FollowThroughOut):
    """What civil affairs decided about one approved settlement (CONTRACT.md, downstream
    services), and what it still has open (CONTRACT.md, follow-through)."""

    region_code: str
    region_name: str | None
    household_size: int
    assessment: AssessmentOut
