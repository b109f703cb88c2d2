"""Hukou's request and response bodies (docs/contract.md), with validation a case worker can
read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from services.hukou import grounds
from services.hukou.domain import Channel, InsuranceScheme, StudentStage, TalentCategory
from shared.fields import (
    BirthDate,
    IdNumber,
    Months,
    Name,
    PastDate,
    RegionCode,
    ShaoguanCounty,
    Strict,
)
from shared.identity import parse_id_number
from shared.pagination import Page
from shared.settlement import HukouType, ReportedItem, ReportText, Tenure


class _PersonIn(Strict):
    id_number: IdNumber
    name: Name
    birth_date: BirthDate | None = Field(
        default=None,
        description="Optional: taken from the identity number; a contradiction is refused.",
    )

    @field_validator("birth_date")
    @classmethod
    def _birth_date_matches_id_number(cls, value: date | None, info: ValidationInfo) -> date | None:
        id_number = info.data.get("id_number")  # absent when it was refused itself
        if value is not None and id_number is not None:
            derived = parse_id_number(id_number).birth_date
            if derived != value:
                raise ValueError(
                    f"{value.isoformat()} contradicts the identity number, "
                    f"which gives {derived.isoformat()}"
                )
        return value


class ApplicantIn(_PersonIn):
    hukou_region_code: RegionCode = Field(description="GB/T 2260 code of the current registration")
    hukou_type: HukouType


class HouseholdMemberIn(_PersonIn):
    relation: str = Field(
        description="spouse | child | parent (二.3); an adult child is left out of the "
        "application, the rest decided (eligibility.members)"
    )
    hukou_region_code: RegionCode | None = None
    hukou_type: HukouType | None = None

    @field_validator("relation")
    @classmethod
    def _relation_settles_with_applicant(cls, value: str) -> str:
        if value not in ("spouse", "child", "parent"):
            raise ValueError(
                f"{value!r} cannot settle in this application: only the applicant's spouse, "
                "minor children and parents settle with the applicant (二.3)"
            )
        return value


class ResidenceIn(Strict):
    address: Annotated[str, Field(min_length=1, max_length=300)]
    tenure: Tenure
    since: PastDate
    region_code: ShaoguanCounty | None = Field(
        default=None, description="Extension: the dwelling's county (needed by 二.2)"
    )


class SocialInsuranceIn(Strict):
    pension_months: Months | None = None
    medical_months: Months | None = None
    insured_region_code: RegionCode | None = None
    employer_paid: bool | None = None
    scheme: InsuranceScheme | None = Field(
        default=None,
        description="The scheme the applicant is insured in: urban_employee (城镇职工, paid by an "
        "employer, or by a flexible worker, 灵活就业人员, alone) or urban_rural_resident "
        "(城乡居民). Unstated, an employer paying shows it is urban_employee (二.2).",
    )


class TalentIn(Strict):
    category: TalentCategory
    evidence: Annotated[str, Field(min_length=1, max_length=500)] | None = Field(
        default=None,
        description="What shows the category (e.g. the graduation certificate's number), for "
        "the officer who approves to verify; without it the talent channel is undetermined "
        "(二.4). Blank text is refused.",
    )


class StudentIn(Strict):
    """Extension for channel rural_student (二.5): 高校录取的农村籍学生……将户口迁至高校所在地,
    毕业后……将户口迁回原籍地或迁入就(创)业地."""

    stage: StudentStage
    college_region_code: RegionCode = Field(
        description="The college's county: an admitted student's destination; a graduate's "
        "college may be anywhere"
    )
    employment_region_code: RegionCode | None = None
    origin_region_code: RegionCode | None = Field(
        default=None,
        description="A graduate's place of origin (原籍地): the registration before the college, "
        "which the graduate may move back to whatever the college's registration is. Not for "
        "an admitted student, whose origin is the current registration.",
    )
    origin_hukou_type: HukouType | None = Field(
        default=None,
        description="A graduate's registration type before the college (农村籍: rural); not for "
        "an admitted student, whose type is the applicant's hukou_type.",
    )

    @field_validator("origin_region_code", "origin_hukou_type")
    @classmethod
    def _origin_is_a_graduates(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("stage") == "admitted":
            raise ValueError(
                "is stated only for a graduate: an admitted student's place of origin is the "
                "current registration, applicant.hukou_region_code and hukou_type (二.5)"
            )
        return value


class RuralRightsIn(Strict):
    land_contract: bool | None = None
    homestead: bool | None = None
    collective_income: bool | None = None
    surrender_required: bool | None = Field(
        default=None,
        description="Refused when true: giving up rural rights may never be a condition (三(四)).",
    )

    @field_validator("surrender_required")
    @classmethod
    def _surrender_is_never_a_condition(cls, value: bool | None) -> bool | None:
        if value:
            raise ValueError(
                "giving up land contract, homestead or collective income rights may never be "
                "required or made a condition of settlement (三(四))"
            )
        return value


class HousingIn(Strict):
    monthly_household_income: Annotated[float, Field(ge=0)] | None = None
    current_area_m2: Annotated[float, Field(ge=0)] | None = None


class SettlementApplicationIn(Strict):
    """A household's application to settle in Shaoguan (docs/contract.md)."""

    applicant: ApplicantIn
    channel: Channel
    destination_region_code: ShaoguanCounty
    received_on: PastDate | None = Field(
        default=None,
        description="Extension: the date the application was lodged (default today); the "
        "decision is made under the rules in force on it (五). Never in the future; an earlier "
        "day than today needs `received_on_reason`.",
    )
    received_on_reason: Annotated[str, Field(min_length=1, max_length=500)] | None = Field(
        default=None,
        description="Why the application is entered after the day it was lodged (a paper "
        "application entered later): needed when `received_on` is before today; kept with the "
        "decision and in the audit log.",
    )
    residence: ResidenceIn | None = None
    social_insurance: SocialInsuranceIn | None = None
    talent: TalentIn | None = None
    student: StudentIn | None = None
    household: list[HouseholdMemberIn] = Field(default=[], max_length=30)
    rural_rights: RuralRightsIn | None = None
    housing: HousingIn | None = None

    def repeated_people(self) -> list[dict[str, str]]:
        """Each household member whose identity number appeared earlier in the application."""
        seen = {self.applicant.id_number: "applicant.id_number"}
        repeated = []
        for index, member in enumerate(self.household):
            field = f"household[{index}].id_number"
            if member.id_number in seen:
                repeated.append(
                    {
                        "field": field,
                        "reason": f"repeats the identity number of {seen[member.id_number]}",
                    }
                )
            seen.setdefault(member.id_number, field)
        return repeated

    def unexplained_late_entry(self, today: date) -> list[dict[str, str]]:
        """The missing reason, when the application is entered after the day it was lodged."""
        if self.received_on is None or self.received_on >= today or self.received_on_reason:
            return []
        return [
            {
                "field": "received_on_reason",
                "reason": f"received_on {self.received_on.isoformat()} is before today "
                f"({today.isoformat()}): say why the application is entered only now",
            }
        ]


class InformationIn(Strict):
    """Sections supplied for an application awaiting information; each replaces its own."""

    residence: ResidenceIn | None = None
    social_insurance: SocialInsuranceIn | None = None
    talent: TalentIn | None = None
    student: StudentIn | None = None
    housing: HousingIn | None = None

    def supplementing(self, stored: dict[str, Any]) -> SettlementApplicationIn:
        """The stored application (its JSON) with each section supplied in place of its own."""
        supplied = self.model_dump(mode="json", exclude_unset=True)
        return SettlementApplicationIn.model_validate({**stored, **supplied})


class CheckOut(BaseModel):
    rule: str
    clause: str
    passed: bool
    outcome: Literal["passed", "failed", "undetermined"]
    reason: str
    missing: list[str] = []


class MemberDecisionOut(BaseModel):
    """Whether one person of the application settles, and why (二.3, 举家进城落户)."""

    index: int = Field(description="0 is the applicant, n is `household[n-1]`")
    relation: str
    settles: bool | None = Field(
        description="true: settles; false: does not (a member left out of this application "
        "applies on their own); null: not decided yet"
    )
    clause: str
    reason: str


class EligibilityOut(BaseModel):
    eligible: bool
    outcome: Literal["eligible", "ineligible", "undetermined"]
    channel: str
    rules_version: str | None
    decision_date: date
    checks: list[CheckOut]
    missing: list[str] = []
    members: list[MemberDecisionOut] = Field(
        default=[],
        description="Per person, whether they settle and why (二.3): a member who cannot settle "
        "with the applicant is left out, and the others decided; only those who settle are in "
        "`settlement.approved`. Empty in a decision made before it was recorded: everyone "
        "listed settles with an eligible applicant.",
    )


class PersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id_number: str
    name: str
    relation: str
    birth_date: date
    sex: str
    hukou_region_code: str
    hukou_type: str


ApplicationStatus = Literal[
    "submitted", "eligible", "ineligible", "approved", "rejected", "settled"
]


FanoutValue = Literal["not_started", "pending", "done", "action_needed", "failed"]
"""A department's part: `not_started` before approval, `pending` until it reports, then what
it last reported (docs/contract.md, "Follow-through")."""


class DecisionVersionOut(BaseModel):
    """One decision on the application, as it was made: what was known and what was decided."""

    model_config = ConfigDict(from_attributes=True)

    version: int
    trigger: Literal["submitted", "reassessed"]
    status: ApplicationStatus
    rules_version: str | None
    decided_at: datetime
    decided_by: str
    supplied: list[str] = Field(description="the sections supplied for this version")
    eligibility: EligibilityOut
    request: dict[str, Any] = Field(description="the application as this version decided it")


class ApplicationFilter(BaseModel):
    """The list's query: every filter given must hold (the paging comes beside it, so other
    query parameters are not refused here). No person is named in it: a URL is logged on its
    way, so a search by identity number is `POST .../search`."""

    status: ApplicationStatus | None = None
    destination_region_code: ShaoguanCounty | None = None
    channel: Channel | None = None
    submitted_from: date | None = Field(None, description="received on or after")
    submitted_to: date | None = Field(None, description="received on or before")
    sort: Literal["newest", "queue"] = Field(
        "newest",
        description="newest: newest first. queue: the work queue, the applications waiting "
        "(submitted, eligible), people already living in the city first (二.8: "
        "优先解决流动人口存量问题), then the longest waiting; each says why in `queue`",
    )


class ApplicationSearchIn(ApplicationFilter):
    """`POST /v1/settlement-applications/search`: the list's filters, and the person, in the
    body. Every filter given must hold."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id_number: IdNumber | None = Field(
        None, description="applications naming this person, as applicant or household member"
    )


class QueuePlaceOut(BaseModel):
    """Where the application stands in the work queue (二.8), and why."""

    model_config = ConfigDict(from_attributes=True)

    stock_first: bool = Field(description="the applicant already lives in the city: first")
    reason: str


class SettlementApplicationOut(BaseModel):
    id: str
    status: ApplicationStatus
    channel: str
    destination_region_code: str
    received_on: date
    received_on_reason: str | None = None
    submitted_at: datetime
    approved_at: datetime | None = None
    rejected_at: datetime | None = None
    rejection_ground: grounds.RejectionGround | None = None
    rejection_reason: str | None = None
    settled_at: datetime | None = None
    applicant: PersonOut
    household: list[PersonOut] = Field(
        description="Everyone listed with the applicant; `eligibility.members` says who of them "
        "settles (二.3)"
    )
    eligibility: EligibilityOut
    decision_version: int = Field(description="the current decision: see .../decisions")
    fanout: dict[str, FanoutValue]
    fanout_summaries: dict[str, ReportText] = {}
    fanout_open_items: dict[str, list[ReportedItem]] = Field(
        default={}, description="what each department not yet done still has open"
    )
    queue: QueuePlaceOut


ApplicationPage = Page[SettlementApplicationOut]
