"""Events pension consumes: an approved settlement is acted on once, under 三(七)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.pension import operations
from services.pension.models import TABLES
from services.pension.rules import PARAMETERS
from shared.registry import SETTLEMENT_APPROVED
from shared.settlement import SettlementApproved, settlement_subscription


def continue_pensions(session: Session, settlement: SettlementApproved) -> str:
    """Decide each adult's pension continuation and the household's minimum living guarantee,
    under the local parameters (read at start) in force on the settlement's decision date."""
    return operations.record_settlement(session, settlement, parameters=PARAMETERS.current())


# hukou.settlement.approved -> continue_pensions (audit and `pension.settlement.processed`
# are written in the same transaction by the shared subscription).
SUBSCRIPTION = settlement_subscription(
    service="pension",
    tables=TABLES,
    handlers={SETTLEMENT_APPROVED: continue_pensions},
)
