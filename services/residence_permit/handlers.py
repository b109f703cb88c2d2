"""Events the residence permit service consumes: an approved settlement closes the settled
members' permits, and `residence_permit.settlement.processed` reports it."""

from __future__ import annotations

from services.residence_permit.models import TABLES
from services.residence_permit.settlements import close_permits_of_settled
from shared.settlement import settlement_subscription

SUBSCRIPTION = settlement_subscription(
    service="residence_permit", tables=TABLES, act=close_permits_of_settled
)

# The event → handlers table: hukou.settlement.approved → close_permits_of_settled, then
# `residence_permit.settlement.processed` (done, or failed once dead-lettered).
EVENT_HANDLERS = SUBSCRIPTION.handlers
