"""Events medical insurance consumes: an approved settlement makes an entry per member (三(六))."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.medical_insurance import operations
from services.medical_insurance.models import TABLES
from services.medical_insurance.rules import PARAMETERS
from shared.registry import SETTLEMENT_APPROVED
from shared.settlement import SettlementApproved, settlement_subscription


def follow_through_settlement(session: Session, settlement: SettlementApproved) -> str:
    """Transfer, continue or enroll each member's medical insurance; decided under the
    parameters in force on the settlement's decision date, so a replay decides the same."""
    return operations.record_settlement(session, settlement, parameters=PARAMETERS.current())


SUBSCRIPTION = settlement_subscription(
    service="medical_insurance",
    tables=TABLES,
    handlers={SETTLEMENT_APPROVED: follow_through_settlement},
)
