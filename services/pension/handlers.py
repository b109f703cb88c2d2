"""Pension's follow-through: each adult of an approved settlement has their pension continued,
decided again whenever a fact, a parameter or an origin's confirmation it waits on arrives
(三(七))."""

from __future__ import annotations

from services.pension import operations, views
from services.pension.models import FOLLOW_THROUGH_TABLES
from services.pension.rules import PARAMETERS
from services.pension.rules.base import EMPLOYER_PAID, OCCUPATION_CATEGORY, OccupationCategory
from shared.follow_through import FactField, FollowThrough
from shared.settlement import Answer

# hukou.settlement.approved -> operations.decide, and again on each fact, parameter or
# confirmation (the kernel writes the audit entry and `pension.settlement.processed`).
FOLLOW_THROUGH = FollowThrough(
    service="pension",
    records=FOLLOW_THROUGH_TABLES,
    decide=operations.decide,
    record=views.settlement_record,
    facts=(
        FactField(
            EMPLOYER_PAID,
            Answer,
            True,
            "whether an employer pays pension insurance for the member (the applicant's is the "
            "application's social_insurance.employer_paid)",
        ),
        FactField(
            OCCUPATION_CATEGORY,
            OccupationCategory,
            True,
            "a woman's occupation category in the employee scheme, worker or staff, which sets "
            "her pension age",
        ),
    ),
    parameters=PARAMETERS,
)
