"""Residence permit request and response bodies, with validation a case worker can read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.residence_permit.rules import BASES, PermitStatus
from shared.fields import IdNumber, Name, PastDate, RegionCode, ShaoguanCounty, Strict
from shared.follow_through import FollowThroughOut
from shared.identity import mask_id_number
from shared.pagination import Page


def _known_basis(value: str) -> str:
    if value not in BASES:
        raise ValueError(
            f"{value!r} is not a basis: one of employment (lawful stable employment), residence "
            "(lawful stable residence) or study (continuous study) (居住证暂行条例 第二条)"
        )
    return value


Basis = Annotated[str, AfterValidator(_known_basis)]
AddressText = Annotated[str, Field(min_length=1, max_length=300)]
MaskedIdNumber = Annotated[str, AfterValidator(mask_id_number), Field(description="Masked")]
"""An identity number as an answer about settled people shows it: its middle hidden."""
GuardianRelation = Literal[
    "parent", "grandparent", "sibling", "spouse", "child", "other_relative", "appointed_guardian"
]


class GuardianIn(Strict):
    """The guardian or close relative who applies for the person (第九条)."""

    id_number: IdNumber
    name: Name
    relation: GuardianRelation


class PermitApplicationIn(Strict):
    """An application for a residence permit (居住证暂行条例 第二条, 第九条)."""

    id_number: IdNumber
    name: Name
    hukou_region_code: RegionCode = Field(
        description="GB/T 2260 code of the current household registration (not the identity "
        "number's region, which is where the person was first registered)"
    )
    region_code: ShaoguanCounty = Field(
        description="The Shaoguan county of residence: the one the person's residence "
        "registration places them in on applied_on (第九条, 第十条)"
    )
    address: AddressText
    resident_since: PastDate | None = Field(
        default=None,
        description="The day residence began, as the applicant declares it; the half year "
        "counted is the registered residence (POST /v1/residence-registrations), from which "
        "the permit records resident_since (三(九) 完善流动人口居住登记管理)",
    )
    basis: Basis | None = Field(
        default=None, description="employment | residence | study: one is required (第二条)"
    )
    evidence: Annotated[str, Field(max_length=500)] | None = Field(
        default=None, description="The proof shown: a labour contract, a lease, a student card"
    )
    guardian: GuardianIn | None = Field(
        default=None, description="Required under 16 on applied_on; accepted at any age (第九条)"
    )
    applied_on: PastDate | None = Field(default=None, description="Default: today")


class RegistrationIn(Strict):
    """`POST /v1/residence-registrations`: the residence registration (居住登记) of one of the
    floating population (广东省流动人口服务管理条例 第二条, 第七条)."""

    id_number: IdNumber
    name: Name
    hukou_region_code: RegionCode = Field(
        description="GB/T 2260 code of the current household registration: outside Shaoguan "
        "(the floating population moves 跨地级以上市, 第二条)"
    )
    region_code: ShaoguanCounty = Field(description="The Shaoguan county of residence")
    address: AddressText
    registered_on: PastDate | None = Field(
        default=None, description="The day residence at the address began. Default: today"
    )


class MoveIn(Strict):
    """A move to another address in Shaoguan (居住变更登记, 第七条); leaving the city is an end."""

    region_code: ShaoguanCounty
    address: AddressText
    moved_on: PastDate | None = Field(default=None, description="Default: today")


class EndIn(Strict):
    """The end of a registration: the person left the address and the city."""

    ended_on: PastDate | None = Field(
        default=None, description="The day the person left (no longer registered). Default: today"
    )


class RegistrationSearchIn(Strict):
    """`POST /v1/residence-registrations/search`: the registrations of a person (the number in
    the body) or of a county, or all of them."""

    id_number: IdNumber | None = Field(default=None, description="The person's registrations")
    region_code: ShaoguanCounty | None = Field(default=None, description="The current county")


class EndorsementIn(Strict):
    """The yearly endorsement (签注) of a holder still living in the city (第十条)."""

    endorsed_on: PastDate | None = Field(default=None, description="Default: today")
    still_resident: bool = Field(description="The holder still lives in the city (第十条)")


class PermitSearchIn(Strict):
    """`POST /v1/residence-permits/search`: the person and the list's filters, in the body."""

    id_number: IdNumber | None = Field(default=None, description="The holder's permits")
    region_code: ShaoguanCounty | None = None
    status: PermitStatus | None = Field(default=None, description="valid | lapsed | closed, today")


class PersonIn(Strict):
    """A lookup of one person by identity number, in a POST body (never in a URL)."""

    id_number: IdNumber


class EntitlementCheckIn(PersonIn):
    """`POST /v1/entitlements/check`: may this person have this service today?"""

    service: str = Field(description="an entitlement id: GET /v1/entitlements")


class FromAttributes(BaseModel):
    """An answer read by attribute name from a stored row or a rule's record, also when it is
    nested in another answer."""

    model_config = ConfigDict(from_attributes=True)


class CheckOut(BaseModel):
    rule: str
    field: str
    passed: bool
    reason: str
    clause: str
    regulation: str


class ParameterOut(BaseModel):
    name: str
    value: float | int | str | bool
    region_code: str | None = None
    valid_from: date
    source: str


class DecisionOut(BaseModel):
    decided_on: date
    clause: str
    checks: list[CheckOut]
    parameters: list[ParameterOut]


class GuardianOut(BaseModel):
    id_number: str
    name: str
    relation: str


class RegisteredAddressOut(BaseModel):
    since: date
    region_code: str
    region_name: str
    address: str


class RegistrationOut(BaseModel):
    id: str
    in_force: bool = Field(description="Whether the registration is in force on as_of")
    as_of: date
    id_number: str
    name: str
    hukou_region_code: str
    registered_on: date
    region_code: str = Field(description="The current county: the latest address's")
    region_name: str
    address: str
    ended_on: date | None = Field(description="The day the person left; in force to the day before")
    addresses: list[RegisteredAddressOut] = Field(description="The first, then one a move")


RegistrationPage = Page[RegistrationOut]


class EndorsementOut(FromAttributes):
    id: str
    endorsed_on: date
    kind: Literal["on_time", "make_up"]
    previous_valid_to: date
    valid_from: date
    valid_to: date
    reason: str
    recorded_at: datetime


class PermitOut(BaseModel):
    id: str
    status: PermitStatus
    as_of: date = Field(description="The day the status was computed for (today)")
    id_number: str
    name: str
    birth_date: date
    region_code: str
    region_name: str
    address: str
    hukou_region_code: str
    resident_since: date = Field(description="The first day of the registered residence counted")
    registration_id: str = Field(description="The residence registration the application counted")
    basis: str
    evidence: str | None
    guardian: GuardianOut | None
    applied_on: date
    issued_on: date
    valid_from: date
    valid_to: date
    residence_counted_from: date
    endorsements: list[EndorsementOut]
    closed_on: date | None = None
    closed_at: datetime | None = None
    closed_reason: Literal["settled", "superseded"] | None = None
    closed_by_settlement_id: str | None = None
    superseded_by: str | None = None
    decision: DecisionOut


class EndorsedOut(BaseModel):
    endorsement: EndorsementOut
    permit: PermitOut


PermitPage = Page[PermitOut]


class EntitlementOut(FromAttributes):
    id: str
    name: str
    name_zh: str
    kind: Literal["basic_public_service", "convenience"]
    clause: str
    regulation: str


class PermitEntitlementOut(EntitlementOut):
    available: bool


class PermitEntitlementsOut(BaseModel):
    permit_id: str
    status: PermitStatus
    as_of: date
    reason: str
    entitlements: list[PermitEntitlementOut]


class EntitlementCheckOut(BaseModel):
    allowed: bool
    reason: str
    clause: str
    regulation: str
    service: str
    permit_id: str | None
    permit_status: PermitStatus | Literal["none"]
    as_of: date


class PeriodOut(FromAttributes):
    start: date
    end: date
    started_by: Literal["issue", "make_up_endorsement"]
    endorsements: int


class HistoryPermitOut(BaseModel):
    permit_id: str
    status: PermitStatus
    region_code: str
    region_name: str
    address: str
    resident_since: date
    basis: str
    issued_on: date
    valid_to: date
    closed_on: date | None
    closed_reason: str | None
    periods: list[PeriodOut]


class SettledOut(FromAttributes):
    settlement_id: str
    settled_on: date


class ResidenceHistoryOut(BaseModel):
    id_number: str
    as_of: date
    earliest_resident_since: date | None
    permits: list[HistoryPermitOut]
    settled: list[SettledOut]


class ClosedPermitOut(FromAttributes):
    permit_id: str
    id_number: MaskedIdNumber
    region_code: str
    status_before: Literal["valid", "lapsed"]
    closed_at: datetime


class MemberDecisionOut(BaseModel):
    id_number: MaskedIdNumber
    relation: str
    decision: Literal["permit_closed", "no_open_permit"]
    clause: str
    reason: str
    closed_permits: list[ClosedPermitOut]


class SettlementOut(FollowThroughOut):
    """What residence permits did about one approved settlement (docs/contract.md, "Downstream
    services"): the permits closed because their holders settled (三(九)), and what is still
    open (docs/contract.md, "Follow-through": closing waits on nothing, so nothing is)."""

    processed_at: datetime
    decided_at: datetime
    settled_on: date
    destination_region_code: str
    clause: str
    summary: str
    closed_permits: list[ClosedPermitOut]
    decisions: list[MemberDecisionOut]
    parameters: list[ParameterOut] = Field(
        default=[], description="None: closing on settlement uses no parameter"
    )
    information_needed: list[str] = Field(
        default=[], description="None: closing waits on no fact (open_items lists what would)"
    )
