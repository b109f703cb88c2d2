"""Acting on an approved settlement: the settled members' permits are closed (三(九)), and
their residence registrations ended (they are no floating population).

Closing follows through at once: it takes no fact and no parameter, so it is `done` on its
first decision. A decision made again (a confirmation, a supply, a parameter) finds the
closures made and makes none: a permit is closed once, with one closure record.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from services.residence_permit import rules
from services.residence_permit.models import (
    TABLES,
    OpenPermit,
    PermitClosure,
    ResidencePermit,
    SettledPerson,
    SettlementRecord,
)
from services.residence_permit.operations import load_permit
from services.residence_permit.permit_events import publish_change
from services.residence_permit.registrations import end_on_settlement
from shared import clock, regions
from shared.audit import record_audit
from shared.db import utcnow
from shared.follow_through import Case, Decision
from shared.identity import parse_id_number
from shared.settlement import SettlementApproved

CLOSED_BY = "event:hukou.settlement.approved"


def decide(session: Session, case: Case) -> Decision:
    """Close the settled members' permits the first time the settlement is decided (三(九));
    every later decision answers the closures already made. Nothing is left open: a member
    without an open permit has nothing to close, and closing needs nothing more."""
    record = session.get(SettlementRecord, case.settlement.settlement_id)
    if record is None:
        record = close_permits_of_settled(session, case.settlement)
    return Decision(summary=record.summary)


def close_permits_of_settled(session: Session, settlement: SettlementApproved) -> SettlementRecord:
    """Close every open permit of every settled member, end their registrations, and record
    the settlement.

    The day of closing is the day of approval (`decided_at`, on Shaoguan's calendar), taken
    from the event, so a replay decides the same.
    """
    if not regions.is_shaoguan_county(settlement.destination_region_code):
        raise ValueError(
            f"destination {settlement.destination_region_code!r} is not a Shaoguan county: "
            "this service holds Shaoguan's permits only"
        )
    settled_on = clock.local_date(settlement.decided_at)
    members: list[rules.Member] = []
    permits: dict[str, ResidencePermit] = {}
    for index, member in enumerate(settlement.members):
        id_number = parse_id_number(member.id_number).value
        if any(m.id_number == id_number for m in members):
            raise ValueError(f"members[{index}] repeats an earlier member's identity number")
        held = session.get(OpenPermit, id_number, with_for_update=True)
        open_permits: tuple[rules.OpenPermit, ...] = ()
        if held is not None:
            permit = load_permit(session, held.permit_id, for_update=True)
            permits[permit.id] = permit
            open_permits = (rules.OpenPermit(permit.id, permit.valid_to),)
        members.append(rules.Member(id_number, member.relation, open_permits))

    decisions = rules.decide_closures(tuple(members), settled_on=settled_on)
    record = SettlementRecord(
        settlement_id=settlement.settlement_id,
        decided_at=settlement.decided_at,
        settled_on=settled_on,
        destination_region_code=settlement.destination_region_code,
        summary=rules.summarise(decisions),
        processed_at=utcnow(),
    )
    session.add(record)
    session.flush()
    now = utcnow()
    for position, decision in enumerate(decisions):
        session.add(
            SettledPerson(
                settlement_id=settlement.settlement_id,
                id_number=decision.id_number,
                position=position,
                relation=decision.relation,
                settled_on=settled_on,
                decision=decision.decision,
                reason=decision.reason,
            )
        )
        end_on_settlement(
            session,
            decision.id_number,
            settled_on=settled_on,
            settlement_id=settlement.settlement_id,
            actor=CLOSED_BY,
        )
        for closure in decision.closures:
            permit = permits[closure.permit_id]
            permit.closed_on, permit.closed_at = settled_on, now
            permit.closed_reason = "settled"
            permit.closed_by_settlement_id = settlement.settlement_id
            session.execute(delete(OpenPermit).where(OpenPermit.permit_id == permit.id))
            publish_change(session, permit, "closed")
            session.add(
                PermitClosure(
                    settlement_id=settlement.settlement_id,
                    permit_id=permit.id,
                    id_number=permit.id_number,
                    region_code=permit.region_code,
                    status_before=closure.status_before,
                    closed_at=now,
                )
            )
            record_audit(
                session,
                TABLES,
                actor=CLOSED_BY,
                action="permit.closed",
                entity_type="residence_permit",
                entity_id=permit.id,
                detail={
                    "reason": "settled",
                    "settlement_id": settlement.settlement_id,
                    "status_before": closure.status_before,
                },
            )
    session.flush()
    return record
