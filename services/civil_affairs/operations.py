"""Civil affairs' use cases over a Session: assess a settled household's minimum living
guarantee, and read the assessment back."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.civil_affairs.models import MinimumLivingAssessment
from services.civil_affairs.rules import (
    CLAUSE,
    PARAMETERS,
    HouseholdFacts,
    assess_minimum_living,
    exactly,
)
from services.civil_affairs.rules import MinimumLivingAssessment as Assessed
from shared.assessment import assessment_of, decision_of, fen, shaoguan_county_of
from shared.follow_through import Case, Decision
from shared.loading import Loader
from shared.settlement import SettlementApproved

BENEFIT = "minimum living guarantee"
"""What the assessment decides, as its summary names it."""


def facts_of(settlement: SettlementApproved) -> HouseholdFacts:
    """What civil affairs decides on: the household's size and income, nothing personal."""
    housing = settlement.housing
    return HouseholdFacts(
        region_code=shaoguan_county_of(settlement),
        decision_date=settlement.decision_date,
        household_size=settlement.household_size,
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
    return decision_of(BENEFIT, CLAUSE, assessment, decided)


def _record(
    session: Session, settlement: SettlementApproved, facts: HouseholdFacts, decided: Assessed
) -> MinimumLivingAssessment:
    """The assessment, one row per settlement decided afresh (the follow-through and the audit
    log keep each version)."""
    assessment = assessment_of(session, MinimumLivingAssessment, settlement.settlement_id)
    income = facts.monthly_household_income
    assessment.per_capita_income_fen = fen(decided.per_capita_income)
    assessment.standard_fen = fen(decided.standard)
    assessment.decided(
        settlement,
        decided,
        facts={
            "monthly_household_income": None if income is None else float(income),
            "household_size": facts.household_size,
            "destination_region_code": facts.region_code,
        },
    )
    session.add(assessment)
    session.flush()
    return assessment


load_assessment = Loader(
    MinimumLivingAssessment,
    MinimumLivingAssessment.settlement_id,
    "civil affairs has not acted on settlement {}",
)
