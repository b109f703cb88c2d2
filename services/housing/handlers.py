"""Housing's follow-through: an approved settlement has its household's housing assessed,
again whenever a fact or a parameter it waits on arrives (三(五))."""

from __future__ import annotations

from services.housing import operations, views
from services.housing.models import FOLLOW_THROUGH_TABLES
from services.housing.rules import AREA_FACT, INCOME_FACT, PARAMETERS, TENURE_FACT
from shared.follow_through import FactField, FollowThrough
from shared.settlement import Amount, Tenure

FOLLOW_THROUGH = FollowThrough(
    service="housing",
    records=FOLLOW_THROUGH_TABLES,
    decide=operations.decide,
    record=views.settlement_record,
    facts=(
        FactField(INCOME_FACT, Amount, False, "the household's monthly income, yuan"),
        FactField(AREA_FACT, Amount, False, "the household's current dwelling area, m2"),
        FactField(TENURE_FACT, Tenure, False, "how the household lives where it lives"),
    ),
    parameters=PARAMETERS,
)
