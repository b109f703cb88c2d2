"""Civil affairs' follow-through: an approved settlement has its household's minimum living
guarantee assessed, again whenever the income or the standard it waits on arrives (三(七))."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.civil_affairs import operations, schemas, views
from services.civil_affairs.models import FOLLOW_THROUGH_TABLES
from services.civil_affairs.rules import INCOME_FACT, PARAMETERS
from shared.follow_through import FactField, FollowThrough
from shared.settlement import Amount


def settlement_record(session: Session, settlement_id: str) -> schemas.SettlementOut:
    return views.settlement_out(session, operations.load_assessment(session, settlement_id))


FOLLOW_THROUGH = FollowThrough(
    service="civil_affairs",
    records=FOLLOW_THROUGH_TABLES,
    decide=operations.decide,
    record=settlement_record,
    facts=(FactField(INCOME_FACT, Amount, False, "the household's monthly income, yuan"),),
    parameters=PARAMETERS,
)
