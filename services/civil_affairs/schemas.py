"""Civil affairs' response bodies: what it decided of a settled household, and why."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from services.civil_affairs.rules import STANDARD_UNIT, Outcome
from shared.assessment import CheckOut, HouseholdSettlementOut, ParameterUsedOut


class FactsOut(BaseModel):
    """The facts the assessment was made on, as the settlement gave them."""

    monthly_household_income: Any = Field(description="housing.monthly_household_income, yuan")
    household_size: int = Field(description="the members settling (the approval's household_size)")
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


class SettlementOut(HouseholdSettlementOut):
    """What civil affairs decided about one approved settlement (docs/contract.md, "Downstream
    services"), and what it still has open (docs/contract.md, "Follow-through")."""

    assessment: AssessmentOut
