"""Events medical insurance consumes: an approved settlement makes an entry per member (三(六))."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.medical_insurance import operations
from services.medical_insurance.config import current_parameters
from services.medical_insurance.models import TABLES
from shared.settlement import SettlementApproved, settlement_subscription


def follow_through_settlement(session: Session, settlement: SettlementApproved) -> str:
    """Transfer, continue or enroll each member's medical insurance; decided under the
    parameters in force on the settlement's decision date, so a replay decides the same."""
    return operations.record_settlement(session, settlement, parameters=current_parameters())


SUBSCRIPTION = settlement_subscription(
    service="medical_insurance", tables=TABLES, act=follow_through_settlement
)

# The flow in one line: hukou.settlement.approved → follow_through_settlement (the wrapper
# audits it and reports medical_insurance.settlement.processed in the same transaction).
EVENT_HANDLERS = SUBSCRIPTION.handlers
