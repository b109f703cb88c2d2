"""Events hukou consumes: each department's report on a settlement feeds the fan-out status."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.hukou import operations
from shared.events.consumer import Subscription
from shared.events.envelope import CloudEvent
from shared.registry import DOWNSTREAM_SERVICES, processed_type
from shared.settlement import SettlementProcessed


def record_department_outcome(session: Session, event: CloudEvent) -> None:
    """A department reported on a settlement (四(一)): its column of the fan-out moves."""
    report = SettlementProcessed.from_own_topic(event)
    operations.record_department_outcome(session, report, event.get_id())


# <department>.settlement.processed -> record_department_outcome, for every department that
# follows settlements (shared/registry.py): a new one needs no edit here.
SUBSCRIPTION = Subscription(
    group="hukou",
    handlers={processed_type(s): [record_department_outcome] for s in DOWNSTREAM_SERVICES},
)
