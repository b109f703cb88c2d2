"""The facts pension decides on and the decisions it makes (plain data, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from shared.identity import Sex
from shared.rules import Check, missing_of
from shared.settlement import SocialInsurance

CLAUSE = "三(七)"

Scheme = Literal["employee", "urban_rural_resident"]
SchemeOrUnknown = Literal["employee", "urban_rural_resident", "information_needed"]
ContinuationStatus = Literal["continued", "awaiting_origin", "drawing", "information_needed"]
MonthsSource = Literal["application", "origin_confirmation"]
OccupationCategory = Literal["worker", "staff"]
"""A woman's occupation category in the employee scheme: worker (工人) or staff (干部)."""

SCHEMES: tuple[Scheme, ...] = ("employee", "urban_rural_resident")
SCHEME_WORDS: dict[Scheme, str] = {
    "employee": "the urban employees' basic pension (城镇职工基本养老保险)",
    "urban_rural_resident": "the urban-rural residents' basic pension (城乡居民基本养老保险)",
}

# Local parameter names (values are set by the city, dated, with their source: none in code).
DEFAULT_SCHEME_FOR_NON_EMPLOYED_ADULTS = "default_scheme_for_non_employed_adults"
PARAMETER_NAMES = (DEFAULT_SCHEME_FOR_NON_EMPLOYED_ADULTS,)

# The facts a continuation can wait on, in the application's own names: the applicant's are
# its `social_insurance` section; another adult's are supplied for that member afterwards.
EMPLOYER_PAID = "social_insurance.employer_paid"
OCCUPATION_CATEGORY = "social_insurance.occupation_category"
MONTHS_CARRIED_OVER = "social_insurance.pension_months"
"""What the origin's confirmation settles: the months of pension insurance carried over."""


@dataclass(frozen=True)
class OriginConfirmation:
    """The origin's confirmation of the months carried over, as pension recorded it."""

    months: int
    origin_region_code: str | None = None  # None: the origin the decision named


@dataclass(frozen=True)
class Member:
    """A settled person as pension reads them; `index` is their place in the event's list.

    `employer_paid` and `occupation_category` are None where neither the application nor a
    fact supplied since says; `confirmed` is the origin's confirmation, once recorded.
    """

    index: int
    relation: str
    birth_date: date
    sex: Sex
    previous_region_code: str
    employer_paid: bool | None = None
    occupation_category: OccupationCategory | None = None
    confirmed: OriginConfirmation | None = None


@dataclass(frozen=True)
class SettlementFacts:
    """One approved settlement, as far as pension needs it."""

    decision_date: date
    destination_region_code: str
    members: tuple[Member, ...]
    # As the event states it (None is "not stated", not zero); its medical months go unread.
    applicant_insurance: SocialInsurance


@dataclass(frozen=True)
class Continuation:
    """One adult's pension continuation (养老保险关系转移接续), 三(七).

    `open_checks` are the checks it could not settle, each naming the facts it needs (a
    `parameters.<name>` being a parameter not recorded); `awaiting` says, while it awaits the
    origin's confirmation, what is awaited. Neither carries personal data.
    """

    member_index: int
    relation: str
    age_on_decision_date: int
    scheme: SchemeOrUnknown
    months_carried_over: int | None
    months_source: MonthsSource | None
    origin_region_code: str
    status: ContinuationStatus
    reason: str
    open_checks: tuple[Check, ...] = ()
    awaiting: str | None = None
    parameters: tuple[dict[str, Any], ...] = ()
    pension_age: str | None = None
    pension_age_reached_on: date | None = None
    clause: str = CLAUSE

    @property
    def missing(self) -> tuple[str, ...]:
        """Every fact or parameter the continuation still needs, each once."""
        return missing_of(self.open_checks)
