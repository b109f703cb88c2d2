"""Events education consumes: an approved settlement places the family's children (三(八))."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.education import operations
from services.education.models import TABLES
from services.education.rules import PARAMETERS
from shared.registry import SETTLEMENT_APPROVED
from shared.settlement import SettlementApproved, settlement_subscription


def place_children(session: Session, settlement: SettlementApproved) -> str:
    """Decide from the event and the parameters in force on its decision date, never from now."""
    return operations.place_settled_children(session, settlement, parameters=PARAMETERS.current())


# hukou.settlement.approved → place_children (audit and `education.settlement.processed` are
# written by the subscription in the same transaction).
SUBSCRIPTION = settlement_subscription(
    service="education",
    tables=TABLES,
    handlers={SETTLEMENT_APPROVED: place_children},
)
