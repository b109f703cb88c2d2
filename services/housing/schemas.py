"""Housing's request and response bodies, with validation a case worker can read."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from services.housing.rules import Form, Outcome
from shared.assessment import CheckOut, HouseholdSettlementOut, ParameterUsedOut
from shared.fields import Strict
from shared.pagination import Page

ApplicationStatus = Literal["pending", "granted", "refused"]


class HousingApplicationIn(Strict):
    """The household asks for one form of housing security its assessment allows (三(五))."""

    form: Form = Field(
        description="rental_subsidy (租赁补贴, for renting on the market) or "
        "public_rental_housing (实物保障: a place on the county's waiting list)"
    )


class OutcomeIn(Strict):
    """The department's outcome of an application: granted (with the subsidy or the unit
    allocated) or refused (with the reason)."""

    outcome: Literal["granted", "refused"]
    monthly_subsidy: (
        Annotated[Decimal, Field(gt=0, le=1_000_000, decimal_places=2, examples=[2100])] | None
    ) = Field(
        default=None,
        description="A granted rental subsidy, yuan per month; defaults to the assessed amount.",
    )
    unit_reference: Annotated[str, Field(min_length=1, max_length=100)] | None = Field(
        default=None,
        description="A granted public rental housing unit: the allocation's reference.",
    )
    reason: Annotated[str, Field(min_length=1, max_length=1000)] | None = Field(
        default=None, description="Why the application is refused."
    )

    def problems_for(self, form: str) -> list[dict[str, str]]:
        """What this outcome lacks or has too much of for an application of `form`."""
        problems: list[dict[str, str]] = []

        def refuse(field: str, reason: str) -> None:
            problems.append({"field": field, "reason": reason})

        if self.outcome == "refused":
            if self.reason is None:
                refuse("reason", "a refusal must give its reason")
            if self.monthly_subsidy is not None:
                refuse("monthly_subsidy", "only a granted rental subsidy has an amount")
            if self.unit_reference is not None:
                refuse("unit_reference", "only granted public rental housing has a unit")
            return problems
        if self.reason is not None:
            refuse("reason", "only a refusal gives a reason")
        if form == "rental_subsidy" and self.unit_reference is not None:
            refuse("unit_reference", "a rental subsidy allocates no unit")
        if form == "public_rental_housing":
            if self.monthly_subsidy is not None:
                refuse("monthly_subsidy", "public rental housing is granted as a unit, not money")
            if self.unit_reference is None:
                refuse("unit_reference", "granting public rental housing names the unit allocated")
        return problems


class FactsOut(BaseModel):
    """The facts the assessment was made on, as the settlement gave them."""

    monthly_household_income: Any = Field(description="housing.monthly_household_income, yuan")
    current_area_m2: Any = Field(description="housing.current_area_m2")
    household_size: int = Field(description="the members settling (the approval's household_size)")
    destination_region_code: str
    tenure: str | None = Field(description="residence.tenure")
    decision_date: date = Field(
        description="the settlement's decision date: rules and parameters are those in force on it"
    )


class AssessmentOut(BaseModel):
    outcome: Outcome
    clause: str
    eligible: bool | None = Field(description="None while information is needed")
    forms: list[Form] = Field(description="the forms the household may apply for")
    monthly_rental_subsidy: float | None = Field(description="yuan per month, when known")
    information_needed: list[str]
    checks: list[CheckOut]
    parameters_used: list[ParameterUsedOut]
    facts: FactsOut
    rules_version: str | None = Field(description="the settlement decision's rules version")
    assessed_at: datetime


class WaitingPlaceOut(BaseModel):
    queue_number: int = Field(description="the county's number given at application, in order")
    position: int | None = Field(description="the current place on the list; None once off it")


class OutcomeOut(BaseModel):
    outcome: Literal["granted", "refused"]
    monthly_subsidy: float | None = None
    unit_reference: str | None = None
    reason: str | None = None
    decided_at: datetime


class ApplicationOut(BaseModel):
    id: str
    settlement_id: str
    form: Form
    status: ApplicationStatus
    clause: str
    region_code: str
    household_size: int
    applied_at: datetime
    waiting_list: WaitingPlaceOut | None = None
    outcome: OutcomeOut | None = None


class SettlementOut(HouseholdSettlementOut):
    """What housing did about one approved settlement (docs/contract.md, "Downstream
    services"), and what it still has open (docs/contract.md, "Follow-through")."""

    assessment: AssessmentOut
    applications: list[ApplicationOut]


class WaitingEntryOut(BaseModel):
    position: int
    queue_number: int
    application_id: str
    settlement_id: str
    household_size: int
    since: date


class WaitingListOut(Page[WaitingEntryOut]):
    """A county's public rental housing waiting list, in order; no names or identity numbers."""

    region_code: str
    region_name: str


class CountyWaitingOut(BaseModel):
    region_code: str
    region_name: str
    households: int = Field(description="households found eligible and waiting for a unit")
    persons: int = Field(description="the members of those households")


class WaitingListsOut(BaseModel):
    """Every county's public rental housing waiting list, counted (三(五)): the supply figure
    public security reads beside its settlement targets (二.7). No personal data."""

    clause: str
    counties: list[CountyWaitingOut]
