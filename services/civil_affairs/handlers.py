"""Civil affairs' follow-through: an approved settlement has its household's minimum living
guarantee assessed, again whenever the income or the standard it waits on arrives (三(七))."""

from __future__ import annotations

from services.civil_affairs import operations, views
from services.civil_affairs.models import FOLLOW_THROUGH_TABLES
from services.civil_affairs.rules import INCOME_FACT, PARAMETERS
from shared.follow_through import FactField, FollowThrough
from shared.settlement import Amount

FOLLOW_THROUGH = FollowThrough(
    service="civil_affairs",
    records=FOLLOW_THROUGH_TABLES,
    decide=operations.decide,
    record=views.settlement_record,
    facts=(FactField(INCOME_FACT, Amount, False, "the household's monthly income, yuan"),),
    parameters=PARAMETERS,
)
