"""The facts a settlement decision is made on, and the decision with its checks (plain data).

A `Check` is the kernel's (`shared.rules`); the `Decision` is hukou's own: eligible or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from shared.identity import Sex
from shared.rules import Check, failures, missing_of
from shared.settlement import HukouType, Tenure

InsuranceScheme = Literal["urban_employee", "urban_rural_resident"]
"""城镇职工 (an employer's, or a flexible worker's own) or 城乡居民."""

Channel = Literal[
    "stable_residence", "insured_one_year", "talent", "rural_student", "collective_household"
]
TalentCategory = Literal[
    "college_graduate", "skilled_worker", "vocational_graduate", "returned_overseas"
]
StudentStage = Literal["admitted", "graduated"]
DecisionOutcome = Literal["eligible", "ineligible", "undetermined"]


@dataclass(frozen=True)
class Person:
    """The applicant or a household member; birth date and sex come from the identity number."""

    id_number: str
    name: str
    birth_date: date
    sex: Sex
    # A plain string, not a Relation: the rules must stay total for a relation the API let through.
    relation: str
    hukou_region_code: str
    hukou_type: HukouType


@dataclass(frozen=True)
class Residence:
    """Where the applicant lives; region_code (the dwelling's county) extends the contract."""

    address: str
    tenure: Tenure
    since: date
    region_code: str | None = None


@dataclass(frozen=True)
class SocialInsurance:
    """Insurance already paid; None means not stated, which is not the same as zero."""

    pension_months: int | None = None
    medical_months: int | None = None
    insured_region_code: str | None = None
    employer_paid: bool | None = None
    scheme: InsuranceScheme | None = None


@dataclass(frozen=True)
class Talent:
    """The talent category claimed under clause 二.4, and the evidence of it (None: not given)."""

    category: TalentCategory
    evidence: str | None = None


@dataclass(frozen=True)
class Student:
    """A rural-registered college student under clause 二.5.

    The origin (原籍地) is the registration before the college: for an admitted student it is the
    current one; a graduate's current registration may be the college's, so the origin is stated.
    """

    stage: StudentStage
    college_region_code: str
    employment_region_code: str | None = None
    origin_region_code: str | None = None
    origin_hukou_type: HukouType | None = None


@dataclass(frozen=True)
class RuralRights:
    """The rural rights (三权) an applicant holds; kept whatever the decision (clause 三(四))."""

    land_contract: bool | None = None
    homestead: bool | None = None
    collective_income: bool | None = None


@dataclass(frozen=True)
class PermitHistory:
    """What the residence permit service holds on the applicant (三(九)), when consulted.

    `available` is False when the service was asked and did not answer; the earliest
    residence start is None when the applicant never held a permit in the city.
    """

    available: bool
    earliest_resident_since: date | None = None
    permits: int = 0


@dataclass(frozen=True)
class ApplicationFacts:
    """Everything a settlement decision may look at, already validated by the API layer."""

    channel: Channel
    destination_region_code: str
    decision_date: date
    applicant: Person
    household: tuple[Person, ...] = ()
    residence: Residence | None = None
    social_insurance: SocialInsurance | None = None
    talent: Talent | None = None
    student: Student | None = None
    rural_rights: RuralRights | None = None
    # None: the permit history was not consulted (no permit service configured).
    permit_history: PermitHistory | None = None


@dataclass(frozen=True)
class MemberDecision:
    """Whether one person of the application settles, and why (二.3).

    `index` 0 is the applicant, n is `household[n-1]`; `settles` None: not decided yet.
    """

    index: int
    relation: str
    settles: bool | None
    clause: str
    reason: str


@dataclass(frozen=True)
class Decision:
    """The eligibility decision: outcome, channel, the rules version used and every check."""

    outcome: DecisionOutcome
    channel: str
    rules_version: str | None
    decision_date: date
    checks: tuple[Check, ...]
    # Who of the application settles; empty when no rule was applied (no version in force).
    members: tuple[MemberDecision, ...] = ()

    @property
    def eligible(self) -> bool:
        """Whether the applicant may settle under the channel."""
        return self.outcome == "eligible"

    @property
    def missing(self) -> tuple[str, ...]:
        """The facts still needed, over all checks, each once, in the order the checks ask."""
        return missing_of(self.checks)

    @property
    def failed_checks(self) -> tuple[Check, ...]:
        """The checks that failed: the reasons an ineligible applicant is told."""
        return failures(self.checks)
