"""The settlement events every department shares: `settlement.approved` in, `processed` out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from shared.db import PlatformTables
from shared.events.envelope import CloudEvent, data_of, new_event, topic_of
from shared.events.outbox import add_to_outbox
from shared.identity import mask_identity_numbers
from shared.registry import SETTLEMENT_APPROVED, processed_type

APPROVED_TOPIC = topic_of(SETTLEMENT_APPROVED)

HukouType = Literal["rural", "urban"]
Relation = Literal["applicant", "spouse", "child", "parent"]
Tenure = Literal["owned", "rented", "employer_collective", "community_collective"]
Outcome = Literal["done", "failed"]
Status = Literal["done", "action_needed", "failed"]
ReportText = Annotated[str, AfterValidator(mask_identity_numbers)]
"""A text of a report (a summary, an open item's reason): hukou shows it to case workers and
keeps it, so an identity number in it is masked, on the way out and on the way in."""


class _EventData(BaseModel):
    # A newer minor version may add fields: read what we know, keep the rest out.
    model_config = ConfigDict(extra="ignore", frozen=True)


class SettledMember(_EventData):
    id_number: str
    name: str
    birth_date: date
    sex: Literal["male", "female"]
    relation: Relation
    previous_region_code: str
    previous_hukou_type: HukouType


class Residence(_EventData):
    """Where the household lives: the application's `residence`."""

    tenure: Tenure
    address: str | None = None
    since: date | None = None
    region_code: str | None = None


# Facts are taken as they are sent, never coerced: "4200" or true is no amount, "yes" no answer.
Months = Annotated[int, Field(ge=0, strict=True)]
Amount = Annotated[float, Field(ge=0, allow_inf_nan=False, strict=True)]
Answer = Annotated[bool, Field(strict=True)]


class SocialInsurance(_EventData):
    """The applicant's insurance as the application states it; None is "not stated"."""

    pension_months: Months | None = None
    medical_months: Months | None = None
    insured_region_code: str | None = None
    employer_paid: Answer | None = None


class HousingFacts(_EventData):
    """The household's housing facts, for housing security (三(五))."""

    monthly_household_income: Amount | None = None
    current_area_m2: Amount | None = None


class RuralRights(_EventData):
    """The rural rights the household keeps whatever it decides (三(四))."""

    land_contract: Answer | None = None
    homestead: Answer | None = None
    collective_income: Answer | None = None


class SettlementApproved(_EventData):
    """The data of `cn.gov.shaoguan.hukou.settlement.approved` (CONTRACT.md, Events)."""

    settlement_id: str
    decided_at: datetime
    decision_date: date
    rules_version: str | None
    channel: str
    destination_region_code: str
    destination_region_name: str | None = None
    destination_address: str | None = None
    residence: Residence | None = None
    members: list[SettledMember]
    social_insurance: SocialInsurance | None = None
    housing: HousingFacts | None = None
    rural_rights: RuralRights | None = None

    @classmethod
    def from_event(cls, event: CloudEvent) -> SettlementApproved:
        return cls.model_validate(data_of(event))


def approved_event(data: SettlementApproved) -> CloudEvent:
    return new_event(
        type_=SETTLEMENT_APPROVED,
        source="/luohu/hukou",
        subject=data.settlement_id,
        data=data.model_dump(mode="json"),
    )


class ReportedItem(_EventData):
    """An open item as a report carries it (CONTRACT.md, "Follow-through")."""

    id: str
    member_index: int | None
    field: str
    kind: Literal["information", "parameter", "confirmation"]
    reason: ReportText
    opened_at: datetime
    due_on: date | None


class SettlementProcessed(_EventData):
    """The data of `cn.gov.shaoguan.<service>.settlement.processed`: one department's report.

    `outcome` says whether the department could act on the event at all (`failed`: it was
    dead-lettered); `status` whether it has finished (`done`) or still has `open_items`.
    `version` counts the department's decisions on the settlement, so the latest report wins
    whatever order reports are read in. A report from before follow-through carries only
    `outcome`: its status is read from it.
    """

    settlement_id: str
    service: str
    outcome: Outcome
    summary: ReportText
    status: Status | None = None
    open_items: list[ReportedItem] = []
    version: int | None = None

    @property
    def current_status(self) -> Status:
        if self.status is not None:
            return self.status
        return "failed" if self.outcome == "failed" else "done"

    @classmethod
    def from_event(cls, event: CloudEvent) -> SettlementProcessed:
        return cls.model_validate(data_of(event))


def report_processed(
    session: Session,
    tables: PlatformTables,
    *,
    service: str,
    settlement_id: str,
    outcome: Outcome,
    summary: str,
    status: Status | None = None,
    open_items: Sequence[BaseModel] = (),
    version: int | None = None,
) -> None:
    """Tell the coordinator how this department's part went, in the caller's transaction."""
    report = SettlementProcessed(
        settlement_id=settlement_id,
        service=service,
        outcome=outcome,
        summary=summary,
        status=status,
        open_items=[ReportedItem.model_validate(item.model_dump()) for item in open_items],
        version=version,
    )
    event = new_event(
        type_=processed_type(service),
        source=f"/luohu/{service}",
        subject=settlement_id,
        data=report.model_dump(mode="json"),
    )
    add_to_outbox(session, tables, event, key=settlement_id)
