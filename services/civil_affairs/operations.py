"""Civil affairs' use cases over a Session: assess a settled household's minimum living
guarantee, and read the assessment back."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from services.civil_affairs import schemas
from services.civil_affairs.models import MinimumLivingAssessment
from services.civil_affairs.rules import (
    CLAUSE,
    PARAMETERS,
    HouseholdFacts,
    assess_minimum_living,
    exactly,
)
from services.civil_affairs.rules import MinimumLivingAssessment as Assessed
from shared.db import utcnow
from shared.follow_through import Case, Decision, gaps_of
from shared.regions import SHAOGUAN_COUNTIES
from shared.routes import load_one
from shared.settlement import SettlementApproved


def _fen(amount: Decimal | None) -> int | None:
    return None if amount is None else int((amount * 100).to_integral_value())


def summary_of(assessment: MinimumLivingAssessment) -> str:
    """One line for the `processed` event and the audit log: no names, no identity numbers."""
    line = (
        f"minimum living guarantee {assessment.outcome} ({CLAUSE}) for a household of "
        f"{assessment.household_size} in {assessment.region_code}"
    )
    if assessment.information_needed:
        line += "; information needed: " + ", ".join(assessment.information_needed)
    return line


def facts_of(settlement: SettlementApproved) -> HouseholdFacts:
    """What civil affairs decides on: the household's size and income, nothing personal."""
    if settlement.destination_region_code not in SHAOGUAN_COUNTIES:
        # Hukou admits only Shaoguan's counties: anything else is a fault to see and replay,
        # not a household to assess under a standard that is not its county's.
        raise ValueError(
            f"destination_region_code {settlement.destination_region_code!r} is not a county "
            "of Shaoguan"
        )
    housing = settlement.housing
    return HouseholdFacts(
        region_code=settlement.destination_region_code,
        decision_date=settlement.decision_date,
        household_size=len(settlement.members),
        # The event carries a JSON number; the rules compare exact decimals of its digits.
        monthly_household_income=exactly(housing.monthly_household_income if housing else None),
    )


def decide(session: Session, case: Case) -> Decision:
    """Decide the household's minimum living guarantee on the settlement's decision date
    (三(七)), on what is known now: on approval, and again each time the income or the standard
    arrives. Each one still missing is an open item of the household's."""
    facts = facts_of(case.settlement)
    decided = assess_minimum_living(facts, PARAMETERS.current())
    assessment = _record(session, case.settlement, facts, decided)
    return Decision(summary=summary_of(assessment), gaps=tuple(gaps_of([decided.check])))


def _record(
    session: Session, settlement: SettlementApproved, facts: HouseholdFacts, decided: Assessed
) -> MinimumLivingAssessment:
    """The assessment, one row per settlement decided afresh (the follow-through and the audit
    log keep each version)."""
    assessment = session.get(
        MinimumLivingAssessment, settlement.settlement_id
    ) or MinimumLivingAssessment(settlement_id=settlement.settlement_id)
    income = facts.monthly_household_income
    assessment.region_code = facts.region_code
    assessment.decision_date = facts.decision_date
    assessment.rules_version = settlement.rules_version
    assessment.household_size = facts.household_size
    assessment.outcome = decided.outcome
    assessment.per_capita_income_fen = _fen(decided.per_capita_income)
    assessment.standard_fen = _fen(decided.standard)
    assessment.information_needed = list(decided.missing)
    assessment.checks = [schemas.CheckOut.model_validate(decided.check).model_dump()]
    assessment.parameters_used = [p.model_dump(mode="json") for p in decided.parameters_used]
    assessment.facts = {
        "monthly_household_income": None if income is None else float(income),
        "household_size": facts.household_size,
        "destination_region_code": facts.region_code,
        "decision_date": facts.decision_date.isoformat(),
    }
    assessment.assessed_at = utcnow()
    session.add(assessment)
    session.flush()
    return assessment


def load_assessment(session: Session, settlement_id: str) -> MinimumLivingAssessment:
    return load_one(
        session,
        MinimumLivingAssessment,
        MinimumLivingAssessment.settlement_id == settlement_id,
        not_found=f"civil affairs has not acted on settlement {settlement_id}",
    )
