"""Events housing consumes: an approved settlement has its household's housing assessed."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.housing import operations
from services.housing.models import TABLES
from services.housing.rules import PARAMETERS
from shared.registry import SETTLEMENT_APPROVED
from shared.settlement import SettlementApproved, settlement_subscription


def assess_settled_household(session: Session, settlement: SettlementApproved) -> str:
    """三(五): the household's housing security, under the parameters of its decision date."""
    return operations.assess_household(session, settlement, parameters=PARAMETERS.current())


# hukou.settlement.approved -> assess_settled_household (audit and `processed` come with it)
SUBSCRIPTION = settlement_subscription(
    service="housing",
    tables=TABLES,
    handlers={SETTLEMENT_APPROVED: assess_settled_household},
)
