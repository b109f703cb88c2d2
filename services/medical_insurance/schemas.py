"""Medical insurance's request and response bodies, with validation a case worker can read."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from services.medical_insurance.rules import CityScheme, EntryKind, EntryStatus, FactsBasis, Scheme
from services.medical_insurance.rules.care_elsewhere import FilingStatus
from shared.fields import Months, RegionCode, Strict
from shared.follow_through import FollowThroughOut


def _required_when(condition: bool, value: Any, message: str) -> None:
    if condition and value is None:
        raise ValueError(message)


def _absent_when(condition: bool, value: Any, message: str) -> None:
    if condition and value is not None:
        raise ValueError(message)


class MemberInsuranceIn(Strict):
    """What the department establishes about a member's basic medical insurance."""

    insured: bool = Field(description="Whether the member holds basic medical insurance anywhere")
    region_code: RegionCode | None = Field(
        default=None, validate_default=True, description="Where insured (GB/T 2260)"
    )
    scheme: Scheme | None = Field(
        default=None, validate_default=True, description="The scheme insured in"
    )
    months: Months | None = Field(
        default=None, validate_default=True, description="Months of contributions held"
    )
    employed_with_employer_paying: bool = Field(
        description="Employed with the employer paying: the urban employees' scheme; else the "
        "residents' scheme"
    )

    @field_validator("region_code", "scheme", "months")
    @classmethod
    def _stated_exactly_when_insured(cls, value: Any, info: ValidationInfo) -> Any:
        insured = info.data.get("insured")
        if insured is None:
            return value  # `insured` itself is wrong; that error is the one to read
        _required_when(insured, value, "is required when the member is insured")
        _absent_when(not insured, value, "must be left out when the member is insured nowhere")
        return value


class TransferConfirmationIn(Strict):
    """The origin's answer to a transfer: the months it holds and its coverage end, or a
    refusal with the reason."""

    outcome: Literal["confirmed", "refused"]
    months: Months | None = Field(
        default=None, validate_default=True, description="Months the origin confirms"
    )
    coverage_end: date | None = Field(
        default=None, validate_default=True, description="The last day the origin covers"
    )
    origin_scheme: Scheme | None = Field(
        default=None, description="The scheme held at the origin, when the origin names it"
    )
    reason: Annotated[str, Field(min_length=1, max_length=1000)] | None = Field(
        default=None, validate_default=True, description="Why the origin refuses"
    )

    @field_validator("months", "coverage_end")
    @classmethod
    def _confirmation_states_months_and_end(cls, value: Any, info: ValidationInfo) -> Any:
        outcome = info.data.get("outcome")
        _required_when(outcome == "confirmed", value, "is required when the origin confirms")
        _absent_when(outcome == "refused", value, "must be left out when the origin refuses")
        return value

    @field_validator("reason")
    @classmethod
    def _refusal_states_reason(cls, value: Any, info: ValidationInfo) -> Any:
        _required_when(
            info.data.get("outcome") == "refused", value, "is required when the origin refuses"
        )
        return value


class CareFilingIn(Strict):
    """A member's filing (备案) for care at the origin while the transfer is under way."""

    starts_on: date | None = Field(
        default=None,
        description="The first day of care the filing covers: from the day coverage in the city "
        "began to today (Shaoguan's); today when left out",
    )


class FilingEndIn(Strict):
    """Why the department ends a filing before the origin answers."""

    reason: Annotated[str, Field(min_length=1, max_length=1000)]


class FilingOut(BaseModel):
    """A member's filing for care at the origin during the transfer (三(六) 异地就医结算)."""

    filing_id: str
    transfer_id: str
    settlement_id: str
    member_index: int
    care_region_code: str
    care_region: str = Field(description="Where care is filed for: the transfer's origin")
    starts_on: date
    status: FilingStatus
    ended_on: date | None
    end_reason: str | None
    clause: str
    reason: str


class EntryOut(BaseModel):
    """One member's entry under 三(六)."""

    entry_id: str
    transfer_id: str | None = Field(description="Set for transfers: the id to confirm")
    settlement_id: str
    member_index: int
    relation: str
    birth_date: date
    id_number_masked: str = Field(description="The identity number with its middle hidden")
    previous_region_code: str
    previous_hukou_type: str
    kind: EntryKind
    status: EntryStatus
    facts_basis: FactsBasis | None = Field(
        description="Where the insurance facts came from: application, presumption, department"
    )
    from_region_code: str | None
    from_region: str | None = Field(description="The origin region, described")
    from_scheme: str | None
    to_scheme: CityScheme | None
    months_declared: int | None
    months_carried_over: int | None
    coverage_start: date | None
    confirmation_deadline: date | None
    overdue: bool | None = Field(
        description="Awaiting the origin past the deadline (as of today); null: no deadline set"
    )
    origin_coverage_end: date | None
    continuous: bool | None
    clause: str
    reason: str
    missing: list[str] = Field(
        description="What the entry waits on (the settlement's open items name each, with the "
        "origin's confirmation of an awaiting transfer)"
    )
    parameters: list[dict[str, Any]]
    care_elsewhere_filings: list[FilingOut] = Field(
        default=[],
        description="The member's filings for care at the origin while the transfer is under "
        "way, the latest first",
    )


class SettlementOut(FollowThroughOut):
    """What medical insurance did about one approved settlement, an entry per member (三(六)),
    and what it still has open: each member's missing facts or parameters, and each transfer
    awaiting the origin's confirmation."""

    clause: str
    decision_date: date
    destination_region_code: str
    rules_version: str | None
    entries: list[EntryOut]
    parameters: list[dict[str, Any]] = Field(description="Every parameter version used")
