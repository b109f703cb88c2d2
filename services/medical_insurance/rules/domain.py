"""The plain data of medical insurance decisions (三(六)): members, facts, entries, parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Protocol

from shared import regions
from shared.parameters import Parameter, ParameterSet

CLAUSE = "三(六)"

Scheme = Literal["employee", "urban_rural_resident", "new_rural_cooperative"]
CityScheme = Literal["employee", "urban_rural_resident"]
EntryKind = Literal["transfer", "continuation", "enrollment", "information_needed"]
EntryStatus = Literal["completed", "awaiting_origin", "refused", "information_needed"]
FactsBasis = Literal["application", "presumption", "department"]

SCHEME_NAMES: Mapping[str, str] = {
    "employee": "urban employees' basic medical insurance (城镇职工基本医疗保险)",
    "urban_rural_resident": (
        "urban and rural residents' basic medical insurance (城乡居民基本医疗保险)"
    ),
    "new_rural_cooperative": "new rural cooperative medical scheme (新型农村合作医疗)",
}

ORIGIN_CONFIRMATION_DAYS = "origin_confirmation_days"
PRESUME_RURAL_MEMBERS_INSURED = "presume_rural_members_insured_at_origin"

# What an entry can wait on, in the application's own names: a member's insurance facts (the
# applicant's are the application's `social_insurance`; anyone else's are supplied for them),
# a parameter not recorded, and the origin's answer to a transfer.
MEDICAL_MONTHS = "social_insurance.medical_months"
INSURED_REGION = "social_insurance.insured_region_code"
EMPLOYER_PAID = "social_insurance.employer_paid"
ORIGIN_CONFIRMATION = "medical_insurance.origin_confirmation"
INSURANCE_SECTION = "social_insurance."


ParameterRef = dict[str, Any]


class Settled(Protocol):
    """What the event's member and the recorded entry both say of a settled member."""

    @property
    def relation(self) -> str: ...
    @property
    def birth_date(self) -> date: ...
    @property
    def previous_region_code(self) -> str: ...
    @property
    def previous_hukou_type(self) -> str: ...


@dataclass(frozen=True)
class Member:
    """A settled household member as this department sees them: no name, no identity number."""

    index: int
    relation: str
    birth_date: date
    previous_region_code: str
    previous_hukou_type: str

    @classmethod
    def of(cls, index: int, member: Settled) -> Member:
        """The member at `index`, from the event or from the entry recorded of them."""
        return cls(
            index=index,
            relation=member.relation,
            birth_date=member.birth_date,
            previous_region_code=member.previous_region_code,
            previous_hukou_type=member.previous_hukou_type,
        )


@dataclass(frozen=True)
class Settlement:
    """The settlement's date and place, and the parameters known to the department."""

    decision_date: date
    destination_region_code: str
    parameters: ParameterSet

    def parameter(self, name: str) -> Parameter | None:
        """The value in force on the decision date: the destination county's, else citywide."""
        return self.parameters.in_force(name, self.decision_date, self.destination_region_code)


@dataclass(frozen=True)
class Insurance:
    """What is known of a member's basic medical insurance on the decision date."""

    insured: bool
    region_code: str | None = None
    scheme: Scheme | None = None
    months: int | None = None
    employer_paying: bool | None = None
    basis: FactsBasis = "application"
    parameters: tuple[ParameterRef, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class InsuranceUnknown:
    """The facts are missing: the entry waits for the department to supply them."""

    missing: tuple[str, ...]
    reason: str
    parameters: tuple[ParameterRef, ...] = ()


@dataclass(frozen=True)
class EntryDecision:
    """One member's entry: what happens to their insurance, and why."""

    member_index: int
    kind: EntryKind
    status: EntryStatus
    reason: str
    basis: FactsBasis | None = None
    from_region_code: str | None = None
    from_scheme: str | None = None
    to_scheme: CityScheme | None = None
    months_declared: int | None = None
    months_carried_over: int | None = None
    coverage_start: date | None = None
    confirmation_deadline: date | None = None
    missing: tuple[str, ...] = ()
    parameters: tuple[ParameterRef, ...] = ()
    clause: str = CLAUSE


@dataclass(frozen=True)
class ConfirmationOutcome:
    """The origin's answer applied to an awaiting transfer."""

    status: EntryStatus
    reason: str
    months_carried_over: int | None = None
    origin_coverage_end: date | None = None
    continuous: bool | None = None
    from_scheme: str | None = None


def place(code: str | None) -> str:
    if code is None:
        return "an unstated region"
    name = regions.SHAOGUAN_COUNTIES.get(code)
    return f"{code} {name}" if name else code


def scheme_name(name: str | None) -> str:
    return SCHEME_NAMES.get(name or "", "a scheme the application does not name")
