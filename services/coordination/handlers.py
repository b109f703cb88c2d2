"""Events the coordination office reads: hukou's approvals, every department's reports, the
residence permits' changes (三(一)) and every service's audit chain head (四(四)).

The inbox of the shared consumer applies each event id once; `operations` makes a redelivery
under another id, or a report read out of order, change nothing either.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.coordination import operations, statistics_events
from services.coordination.audit_heads import HEAD_HANDLERS
from shared.db import utcnow
from shared.events.consumer import Subscription
from shared.events.envelope import CloudEvent, data_of
from shared.registry import (
    DOWNSTREAM_SERVICES,
    PERMIT_CHANGED,
    SETTLEMENT_APPROVED,
    processed_type,
)
from shared.settlement import CLEAR, SettlementApproved, SettlementProcessed

GROUP = "coordination"


def record_approval(session: Session, event: CloudEvent) -> None:
    """Hukou approved a settlement: read its clear fields only (nothing is sealed to the
    office, and it needs nothing of the family)."""
    data = data_of(event)
    approval = SettlementApproved.model_validate({k: data[k] for k in CLEAR if k in data})
    operations.record_approval(session, approval, event.get_id(), occurred_at(event))


def record_report(session: Session, event: CloudEvent) -> None:
    """A department reported on a settlement, on its own topic."""
    report = SettlementProcessed.from_own_topic(event)
    operations.record_report(session, report, event.get_id(), occurred_at(event))


def occurred_at(event: CloudEvent) -> datetime:
    """When the event was made (its `time`), so the timeline reads the same however often it
    is rebuilt."""
    value = event.get_attributes().get("time")
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value)) if value else utcnow()


SUBSCRIPTION = Subscription(
    group=GROUP,
    handlers={
        SETTLEMENT_APPROVED: [record_approval, statistics_events.record_rural_count],
        **{processed_type(s): [record_report] for s in DOWNSTREAM_SERVICES},
        PERMIT_CHANGED: [statistics_events.record_permit_change],
        **HEAD_HANDLERS,
    },
)
"""The approvals, every department's report, the permits' changes and every service's audit
chain head (shared/registry.py): a new department needs no edit here."""
