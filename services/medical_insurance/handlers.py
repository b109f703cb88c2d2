"""Medical insurance's follow-through: an approved settlement has each member's insurance
transferred, continued or begun, and is decided again whenever a fact, the origin's
confirmation or a parameter it waits on arrives (三(六))."""

from __future__ import annotations

from services.medical_insurance import operations, rules, views
from services.medical_insurance.models import FOLLOW_THROUGH_TABLES
from shared.fields import Months, RegionCode
from shared.follow_through import FactField, FollowThrough

FOLLOW_THROUGH = FollowThrough(
    service="medical_insurance",
    records=FOLLOW_THROUGH_TABLES,
    decide=operations.decide,
    record=views.settlement_record,
    facts=(
        FactField(rules.MEDICAL_MONTHS, Months, True, "months of basic medical insurance; 0: none"),
        FactField(rules.INSURED_REGION, RegionCode, True, "where insured (GB/T 2260)"),
        FactField(rules.EMPLOYER_PAID, bool, True, "employed with the employer paying"),
    ),
    parameters=rules.PARAMETERS,
)
