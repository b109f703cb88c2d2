"""The facts pension decides on and the decisions it makes (plain data, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from shared.settlement import SocialInsurance

CLAUSE = "三(七)"

Sex = Literal["male", "female"]
Scheme = Literal["employee", "urban_rural_resident"]
SchemeOrUnknown = Literal["employee", "urban_rural_resident", "information_needed"]
ContinuationStatus = Literal["continued", "awaiting_origin", "drawing", "information_needed"]
MinimumLivingOutcome = Literal["eligible", "not_eligible", "information_needed"]
MonthsSource = Literal["application", "origin_confirmation"]

SCHEMES: tuple[Scheme, ...] = ("employee", "urban_rural_resident")
SCHEME_WORDS: dict[Scheme, str] = {
    "employee": "the urban employees' basic pension (城镇职工基本养老保险)",
    "urban_rural_resident": "the urban-rural residents' basic pension (城乡居民基本养老保险)",
}

# Local parameter names (values are set by the city, dated, with their source: none in code).
MINIMUM_LIVING_STANDARD = "minimum_living_standard"
DEFAULT_SCHEME_FOR_NON_EMPLOYED_ADULTS = "default_scheme_for_non_employed_adults"
PARAMETER_NAMES = (MINIMUM_LIVING_STANDARD, DEFAULT_SCHEME_FOR_NON_EMPLOYED_ADULTS)


@dataclass(frozen=True)
class Member:
    """A settled person as pension reads them; `index` is their place in the event's list."""

    index: int
    relation: str
    birth_date: date
    sex: Sex
    previous_region_code: str


@dataclass(frozen=True)
class SettlementFacts:
    """One approved settlement, as far as pension and the minimum living guarantee need it."""

    decision_date: date
    destination_region_code: str
    members: tuple[Member, ...]
    # As the event states it (None is "not stated", not zero); its medical months go unread.
    applicant_insurance: SocialInsurance
    monthly_household_income: Decimal | None


@dataclass(frozen=True)
class Continuation:
    """One adult's pension continuation (养老保险关系转移接续), 三(七)."""

    member_index: int
    relation: str
    age_on_decision_date: int
    scheme: SchemeOrUnknown
    months_carried_over: int | None
    origin_region_code: str
    status: ContinuationStatus
    reason: str
    missing: tuple[str, ...] = ()
    parameters: tuple[dict[str, Any], ...] = ()
    pension_age: str | None = None
    pension_age_reached_on: date | None = None
    clause: str = CLAUSE


@dataclass(frozen=True)
class MinimumLivingAssessment:
    """The household's minimum living guarantee (最低生活保障), on local residents' terms."""

    region_code: str
    outcome: MinimumLivingOutcome
    household_size: int
    monthly_household_income: Decimal | None
    per_capita_income: Decimal | None
    standard: Decimal | None
    reason: str
    missing: tuple[str, ...] = ()
    parameters: tuple[dict[str, Any], ...] = ()
    clause: str = CLAUSE


@dataclass(frozen=True)
class SettlementDecision:
    """Everything pension decided on one settlement."""

    continuations: tuple[Continuation, ...]
    minimum_living: MinimumLivingAssessment
