"""Events hukou consumes: each department's report on a settlement feeds the fan-out status."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.hukou import operations
from services.hukou.models import DOWNSTREAM_SERVICES
from shared.events.consumer import Handler, Subscription
from shared.events.envelope import CloudEvent, data_of, event_type, topic_of


def record_department_outcome(session: Session, event: CloudEvent) -> None:
    data = data_of(event)
    operations.record_department_outcome(
        session,
        settlement_id=str(data["settlement_id"]),
        service=str(data["service"]),
        outcome=str(data["outcome"]),
        summary=data.get("summary"),
        event_id=event.get_id(),
    )


PROCESSED_TYPES = tuple(event_type(s, "settlement.processed") for s in DOWNSTREAM_SERVICES)

EVENT_HANDLERS: dict[str, list[Handler]] = {
    type_: [record_department_outcome] for type_ in PROCESSED_TYPES
}

SUBSCRIPTION = Subscription(
    group="hukou",
    topics=[topic_of(type_) for type_ in PROCESSED_TYPES],
    handlers=EVENT_HANDLERS,
)
