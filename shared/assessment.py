"""A household assessment: what housing (三(五)) and civil affairs (三(七)) decide of a settled
household, one row per settlement, decided afresh each time a fact or a parameter arrives.

No names or identity numbers are kept: a household is assessed on its size and its facts, and
the settlement id leads back to the people through public security. Each department's table
declares the columns of its own decision; `HouseholdAssessment` gives the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import JSON, Date, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from shared.db import UTCDateTime, utcnow
from shared.follow_through import (
    Decision,
    FollowThroughOut,
    FollowThroughTables,
    gaps_of,
    state_of,
)
from shared.parameters import Parameter
from shared.regions import SHAOGUAN_COUNTIES
from shared.rules import Check, CheckOutcome
from shared.settlement import SettlementApproved

# A table's own columns (sort_order 0) stand between the settlement's and the decision's.
_FIRST, _LAST = -1, 1


class HouseholdAssessment:
    """The columns every household assessment has: the settlement it is of, and what it came to.

    A mixin of a department's mapped class, which adds the figures of its own decision."""

    # The primary key makes the assessment once per settlement, whatever the bus redelivers.
    settlement_id: Mapped[str] = mapped_column(String(64), primary_key=True, sort_order=_FIRST)
    region_code: Mapped[str] = mapped_column(String(6), index=True, sort_order=_FIRST)
    decision_date: Mapped[date] = mapped_column(Date, sort_order=_FIRST)
    rules_version: Mapped[str | None] = mapped_column(String(60), sort_order=_FIRST)
    household_size: Mapped[int] = mapped_column(Integer, sort_order=_FIRST)
    outcome: Mapped[str] = mapped_column(String(30), index=True, sort_order=_FIRST)
    information_needed: Mapped[list[str]] = mapped_column(JSON, sort_order=_LAST)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, sort_order=_LAST)
    parameters_used: Mapped[list[dict[str, Any]]] = mapped_column(JSON, sort_order=_LAST)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, sort_order=_LAST)
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, sort_order=_LAST)

    def decided(
        self, settlement: SettlementApproved, assessed: Assessed, facts: Mapping[str, Any]
    ) -> None:
        """Write what the decision of `settlement` came to, with the facts it was made on."""
        self.region_code = settlement.destination_region_code
        self.decision_date = settlement.decision_date
        self.rules_version = settlement.rules_version
        self.household_size = settlement.household_size
        self.outcome = assessed.outcome
        self.information_needed = list(assessed.information_needed)
        self.checks = [CheckOut.model_validate(check).model_dump() for check in assessed.checks]
        self.parameters_used = [p.model_dump(mode="json") for p in assessed.parameters_used]
        self.facts = {**facts, "decision_date": settlement.decision_date.isoformat()}
        self.assessed_at = utcnow()


class Assessed(Protocol):
    """What a department's rules decided of a household, as its assessment records it."""

    @property
    def outcome(self) -> str: ...

    @property
    def information_needed(self) -> Sequence[str]: ...

    @property
    def checks(self) -> Sequence[Check]: ...

    @property
    def parameters_used(self) -> Sequence[Parameter]: ...


AssessmentRow = TypeVar("AssessmentRow", bound=HouseholdAssessment)


def shaoguan_county_of(settlement: SettlementApproved) -> str:
    """The county the household settles in, where its county's rules and parameters apply."""
    if settlement.destination_region_code not in SHAOGUAN_COUNTIES:
        # Hukou admits only Shaoguan's counties: anything else is a fault to see and replay,
        # not a household to assess under parameters that are not its county's.
        raise ValueError(
            f"destination_region_code {settlement.destination_region_code!r} is not a county "
            "of Shaoguan"
        )
    return settlement.destination_region_code


def assessment_of(
    session: Session, model: type[AssessmentRow], settlement_id: str
) -> AssessmentRow:
    """The settlement's assessment to decide afresh: the one stored, or a new one."""
    stored = session.get(model, settlement_id)
    if stored is not None:
        return stored
    assessment = model()
    assessment.settlement_id = settlement_id
    return assessment


def decision_of(
    benefit: str, clause: str, assessment: HouseholdAssessment, assessed: Assessed
) -> Decision:
    """What the assessment came to for the follow-through: a line for the `processed` event and
    the audit log (no names, no identity numbers), and a gap for each fact still needed."""
    summary = (
        f"{benefit} {assessment.outcome} ({clause}) for a household of "
        f"{assessment.household_size} in {assessment.region_code}"
    )
    if assessment.information_needed:
        summary += "; information needed: " + ", ".join(assessment.information_needed)
    return Decision(summary=summary, gaps=tuple(gaps_of(assessed.checks)))


def fen(amount: Decimal | None) -> int | None:
    """An amount of yuan in fen (0.01 yuan), as money is stored: exact on every engine."""
    return None if amount is None else int((amount * 100).to_integral_value())


def yuan(amount_fen: int | None) -> float | None:
    """A stored amount in fen, shown in yuan."""
    return None if amount_fen is None else amount_fen / 100


def eligible(outcome: str) -> bool | None:
    """Whether the household is eligible (any outcome but `not_eligible`); None while
    information is needed."""
    if outcome == "information_needed":
        return None
    return outcome != "not_eligible"


class CheckOut(BaseModel):
    """One check as stored with its assessment and shown: a rule's `Check`, read as it is."""

    model_config = ConfigDict(from_attributes=True)

    rule: str
    clause: str
    passed: bool
    outcome: CheckOutcome
    reason: str
    missing: list[str] = []


class ParameterUsedOut(BaseModel):
    """The version of a local parameter a decision used."""

    name: str
    value: float | int | str | bool
    unit: str | None = None
    region_code: str | None = None
    valid_from: date
    valid_to: date | None = None
    source: str
    department: str


class HouseholdSettlementOut(FollowThroughOut):
    """The follow-through of one settlement, with the household it assessed."""

    region_code: str
    region_name: str | None
    household_size: int


def household_settlement(
    session: Session, records: FollowThroughTables, assessment: HouseholdAssessment
) -> dict[str, Any]:
    """The fields of a `HouseholdSettlementOut` for `assessment`'s settlement."""
    return {
        **state_of(session, records, assessment.settlement_id).model_dump(),
        "region_code": assessment.region_code,
        "region_name": SHAOGUAN_COUNTIES.get(assessment.region_code),
        "household_size": assessment.household_size,
    }
