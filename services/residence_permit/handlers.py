"""Events the residence permit service consumes: an approved settlement closes the settled
members' permits, and `residence_permit.settlement.processed` reports it."""

from __future__ import annotations

from services.residence_permit.models import TABLES
from services.residence_permit.settlements import close_permits_of_settled
from shared.registry import SETTLEMENT_APPROVED
from shared.settlement import settlement_subscription

SUBSCRIPTION = settlement_subscription(
    service="residence_permit",
    tables=TABLES,
    handlers={SETTLEMENT_APPROVED: close_permits_of_settled},
)
