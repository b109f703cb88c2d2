"""Events housing consumes: an approved settlement has its household's housing assessed."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.housing import operations
from services.housing.config import current_parameters
from services.housing.models import TABLES
from shared.settlement import SettlementApproved, settlement_subscription


def assess_settled_household(session: Session, settlement: SettlementApproved) -> str:
    """三(五): the household's housing security, under the parameters of its decision date."""
    return operations.assess_household(session, settlement, parameters=current_parameters())


# hukou.settlement.approved -> assess_settled_household (audit and `processed` come with it)
SUBSCRIPTION = settlement_subscription(
    service="housing", tables=TABLES, act=assess_settled_household
)
