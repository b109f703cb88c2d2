"""The heads of every service's audit chain, kept as each published them (四(四)).

The consumer has checked, before any handler runs, that the key which signed a
`<service>.audit.head` is that service's (the registry names it the one producer): so a head
counts for the service of its type, and one whose data names another service is refused (a
dead letter), never stored. Each head is kept once (a head published again, after `luohu
prune`, or under another event id, adds nothing). A head going backwards, a lower sequence than
one held or the same sequence with another hash, is itself an incident: kept, and flagged.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.coordination.models import PublishedAuditHead
from shared.audit_heads import AuditHead, PublishedHead
from shared.db import utcnow
from shared.events.consumer import Handler
from shared.events.envelope import CloudEvent, data_of
from shared.registry import SERVICES, audit_head_type


def record_head(session: Session, event: CloudEvent, signer: str) -> None:
    """Keep the head `signer` (the service whose key signed it) published."""
    head = AuditHead.model_validate(data_of(event))
    if head.service != signer:
        raise ValueError(
            f"a head of {head.service!r} arrived as {event.get_type()!r}: a service publishes "
            "only its own head"
        )
    held = PublishedAuditHead
    same = select(held.event_id).where(
        (held.event_id == event.get_id())
        | (
            (held.service == head.service)
            & (held.sequence == head.sequence)
            & (held.hash == head.hash)
        )
    )
    if session.execute(same.limit(1)).first() is not None:
        return
    # Here, not above: the office's subscription (handlers.py) takes this module's handlers.
    from services.coordination.handlers import occurred_at

    session.add(
        PublishedAuditHead(
            event_id=event.get_id(),
            service=head.service,
            sequence=head.sequence,
            hash=head.hash,
            at=head.at,
            published_at=occurred_at(event),
            received_at=utcnow(),
            incident=_backwards(session, head),
        )
    )


def _backwards(session: Session, head: AuditHead) -> str | None:
    """Why `head` goes backwards from the heads held for its service, or None."""
    held = PublishedAuditHead
    other = session.execute(
        select(held.hash)
        .where(held.service == head.service, held.sequence == head.sequence)
        .limit(1)
    ).scalar_one_or_none()
    if other is not None:
        return f"entry {head.sequence} was published before with another hash, {other}"
    highest = session.execute(
        select(func.max(held.sequence)).where(held.service == head.service)
    ).scalar_one_or_none()
    if highest is not None and head.sequence < highest:
        return f"a head at {head.sequence} after one at {highest}: the chain went backwards"
    return None


def _handler_for(service: str) -> Handler:
    def handle(session: Session, event: CloudEvent) -> None:
        record_head(session, event, service)

    return handle


HEAD_HANDLERS: dict[str, list[Handler]] = {
    audit_head_type(s.name): [_handler_for(s.name)] for s in SERVICES
}
"""Every service's head, each counted for the service of its type: the only one whose
signature the consumer lets through (shared/events/signing.py)."""


def heads_of(session: Session, service: str) -> list[PublishedHead]:
    """Every head held for `service`, as `luohu audit verify` compares them with its chain."""
    held = PublishedAuditHead
    rows = session.execute(
        select(held).where(held.service == service).order_by(held.sequence, held.published_at)
    ).scalars()
    return [PublishedHead(r.sequence, r.hash, r.published_at) for r in rows]
