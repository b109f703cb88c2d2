"""What civil affairs shows: a settlement's minimum living guarantee assessment."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.civil_affairs import schemas
from services.civil_affairs.models import FOLLOW_THROUGH_TABLES, MinimumLivingAssessment
from services.civil_affairs.rules import CLAUSE
from shared.db import columns_of
from shared.follow_through import state_of
from shared.regions import SHAOGUAN_COUNTIES


def _yuan(fen: int | None) -> float | None:
    return None if fen is None else fen / 100


def _eligible(outcome: str) -> bool | None:
    if outcome == "information_needed":
        return None
    return outcome == "eligible"


def assessment_out(assessment: MinimumLivingAssessment) -> schemas.AssessmentOut:
    # The checks, the parameters used and the facts are stored in the shape they are answered in.
    return schemas.AssessmentOut.model_validate(
        {
            **columns_of(assessment),
            "clause": CLAUSE,
            "eligible": _eligible(assessment.outcome),
            "per_capita_income": _yuan(assessment.per_capita_income_fen),
            "standard": _yuan(assessment.standard_fen),
        }
    )


def settlement_out(session: Session, assessment: MinimumLivingAssessment) -> schemas.SettlementOut:
    return schemas.SettlementOut(
        **state_of(session, FOLLOW_THROUGH_TABLES, assessment.settlement_id).model_dump(),
        region_code=assessment.region_code,
        region_name=SHAOGUAN_COUNTIES.get(assessment.region_code),
        household_size=assessment.household_size,
        assessment=assessment_out(assessment),
    )
