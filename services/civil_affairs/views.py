"""What civil affairs shows: a settlement's minimum living guarantee assessment."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.civil_affairs import schemas
from services.civil_affairs.models import FOLLOW_THROUGH_TABLES, MinimumLivingAssessment
from services.civil_affairs.operations import load_assessment
from services.civil_affairs.rules import CLAUSE
from shared.assessment import eligible, household_settlement, yuan
from shared.db import columns_of


def assessment_out(assessment: MinimumLivingAssessment) -> schemas.AssessmentOut:
    # The checks, the parameters used and the facts are stored in the shape they are answered in.
    return schemas.AssessmentOut.model_validate(
        {
            **columns_of(assessment),
            "clause": CLAUSE,
            "eligible": eligible(assessment.outcome),
            "per_capita_income": yuan(assessment.per_capita_income_fen),
            "standard": yuan(assessment.standard_fen),
        }
    )


def settlement_out(session: Session, assessment: MinimumLivingAssessment) -> schemas.SettlementOut:
    return schemas.SettlementOut(
        **household_settlement(session, FOLLOW_THROUGH_TABLES, assessment),
        assessment=assessment_out(assessment),
    )


def settlement_record(session: Session, settlement_id: str) -> schemas.SettlementOut:
    """The settlement as `GET /v1/settlements/{id}` answers it, or a 404."""
    return settlement_out(session, load_assessment(session, settlement_id))
