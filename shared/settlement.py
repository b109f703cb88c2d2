"""The settlement events every department shares: `settlement.approved` in, `processed` out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from types import MappingProxyType
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from shared.db import PlatformTables
from shared.events.envelope import CloudEvent, data_of, new_event, topic_of
from shared.events.outbox import add_to_outbox
from shared.events.sealing import open_section, seal
from shared.identity import mask_identity_numbers
from shared.keys import Keyring, TrustBundle
from shared.registry import SETTLEMENT_APPROVED, downstream, processed_type

APPROVED_TOPIC = topic_of(SETTLEMENT_APPROVED)
T = TypeVar("T")

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
    """A member who settles. A department is given only the fields it receives (the registry's
    `receives`): a field it is not given is None here."""

    id_number: str
    relation: Relation
    birth_date: date
    sex: Literal["male", "female"]
    name: str | None = None
    previous_region_code: str | None = None
    previous_hukou_type: HukouType | None = None


def received(value: T | None, field: str) -> T:
    """A field the department receives (the registry's `receives`): hukou always gives it, so
    None means an event that left out what it owes this department."""
    if value is None:
        raise ValueError(f"settlement.approved gives this department no {field}")
    return value


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
    """The data of `cn.gov.shaoguan.hukou.settlement.approved` (docs/contract.md, Events).

    Hukou writes it whole; on the wire every reader sees only the fields of `CLEAR`, and each
    department the section sealed to it (`approved_event`). As a department reads it, what it
    does not receive is None (a section, a member's field) or empty (`members`).
    """

    settlement_id: str
    decided_at: datetime
    decision_date: date
    rules_version: str | None
    channel: str
    destination_region_code: str
    destination_region_name: str | None = None
    household_size: Annotated[int, Field(ge=0)]
    rural_registered_count: Annotated[int, Field(ge=0)] | None = None
    """How many of those settling were agricultural-registered (农业转移人口, 三(一)) before: a
    count, naming no one. None in an approval from before it was carried: unknown, not zero."""
    destination_address: str | None = None
    residence: Residence | None = None
    members: list[SettledMember] = []
    social_insurance: SocialInsurance | None = None
    housing: HousingFacts | None = None
    rural_rights: RuralRights | None = None

    @model_validator(mode="before")
    @classmethod
    def _counted(cls, data: Any) -> Any:
        # Written whole, the household is its members: their number need not be said twice.
        if isinstance(data, dict) and "household_size" not in data:
            return {**data, "household_size": len(data.get("members") or [])}
        return data

    @model_validator(mode="after")
    def _rural_among_settling(self) -> SettlementApproved:
        count = self.rural_registered_count
        if count is not None and count > self.household_size:
            raise ValueError(
                f"rural_registered_count {count} exceeds household_size {self.household_size}"
            )
        return self

    @classmethod
    def opened(cls, event: CloudEvent, keyring: Keyring, service: str) -> SettlementApproved:
        """The settlement as `service` may read it: the clear fields and its own section."""
        return cls.model_validate(open_section(data_of(event), keyring, service))


CLEAR = (
    "settlement_id",
    "decided_at",
    "decision_date",
    "rules_version",
    "channel",
    "destination_region_code",
    "destination_region_name",
    "household_size",
    "rural_registered_count",
)
"""What every reader of `settlement.approved` sees: nothing of it names or describes a person."""

_SECTIONS: Mapping[str, type[BaseModel]] = {
    "members": SettledMember,
    "residence": Residence,
    "social_insurance": SocialInsurance,
    "housing": HousingFacts,
    "rural_rights": RuralRights,
}


def _checked(service: str, paths: Sequence[str]) -> tuple[str, ...]:
    for path in paths:
        section, _, name = path.partition(".")
        model = _SECTIONS.get(section)
        if name:
            known = model is not None and name in model.model_fields
        else:
            known = section in SettlementApproved.model_fields and section not in CLEAR
        if not known:
            raise ValueError(f"{service} receives {path!r}, which settlement.approved lacks")
    return tuple(paths)


RECEIVES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {entry.name: _checked(entry.name, entry.receives) for entry in downstream()}
)
"""What of the settlement each department receives, by the registry (docs/personal-data.md)."""


def section_for(data: Mapping[str, Any], paths: Sequence[str]) -> dict[str, Any]:
    """The part of `data` (the event's data, whole) that `paths` name: a whole section, one
    field of a section, or one field of every member, which keep their order."""
    section: dict[str, Any] = {}
    for path in paths:
        name, _, field = path.partition(".")
        value = data.get(name)
        if not field or value is None:
            if value is not None:
                section[name] = value
        elif name == "members" and isinstance(value, list):
            members = section.setdefault(name, [{} for _ in value])
            for kept, member in zip(members, value, strict=True):
                if isinstance(member, Mapping) and field in member:
                    kept[field] = member[field]
        elif isinstance(value, Mapping):
            if field in value:
                section.setdefault(name, {})[field] = value[field]
        else:  # not a section at all: passed on as it is, for the department to refuse
            section[name] = value
    return section


def sealed_data(data: Mapping[str, Any], bundle: TrustBundle) -> dict[str, Any]:
    """The event's data on the wire: `CLEAR` as it is, each department's section sealed."""
    clear = {name: data[name] for name in CLEAR if name in data}
    sections = {service: section_for(data, paths) for service, paths in RECEIVES.items()}
    return seal(clear, sections, bundle)


def approved_event(data: SettlementApproved, recipients: TrustBundle) -> CloudEvent:
    """`settlement.approved` as hukou publishes it, each section sealed to its department's
    key in `recipients` (the trust bundle)."""
    return new_event(
        type_=SETTLEMENT_APPROVED,
        source="/luohu/hukou",
        subject=data.settlement_id,
        data=sealed_data(data.model_dump(mode="json"), recipients),
    )


class ReportedItem(_EventData):
    """An open item as a report carries it (docs/contract.md, "Follow-through")."""

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

    def supersedes(self, held_version: int | None, held_status: str | None) -> bool:
        """Whether this report replaces the one held (its `version` and status; None: none
        held): a later decision always does, the same or an earlier one never (a redelivery,
        or a report read out of order). A report without a version (a dead letter's failure,
        or a department from before follow-through) counts only while no decision of that
        department is held, and a failure never undoes a done."""
        if self.version is not None:
            return held_version is None or self.version > held_version
        if held_version is not None:
            return False
        return not (held_status == "done" and self.current_status == "failed")

    @classmethod
    def from_event(cls, event: CloudEvent) -> SettlementProcessed:
        return cls.model_validate(data_of(event))

    @classmethod
    def from_own_topic(cls, event: CloudEvent) -> SettlementProcessed:
        """The report, refused unless it came as its department's own type: a department
        reports only on its own topic (the signature proves who sent that type)."""
        report = cls.from_event(event)
        if event.get_type() != processed_type(report.service):
            raise ValueError(
                f"a report of {report.service!r} arrived as {event.get_type()!r}: a department "
                "reports only on its own topic"
            )
        return report


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
