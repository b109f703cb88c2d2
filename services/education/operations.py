"""Education's use cases over a Session (the caller owns the unit of work): decide a settled
family's placements, again until nothing is open; complete a student-status transfer."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.education import schemas
from services.education.models import TABLES, Placement, SettledFamily, StudentTransfer
from services.education.rules import (
    CLAUSE,
    NEXT_YEAR_WEEKS,
    PARAMETERS,
    SCHOOLING_FACT,
    EducationDecision,
    Family,
    Member,
    SchoolYear,
    Transfer,
    kept_school_year,
    place_children,
    school_year_start,
    summarise,
)
from services.education.rules import Placement as Placed
from services.education.schemas import place_name
from shared import clock, regions
from shared.audit import record_audit
from shared.db import utcnow
from shared.errors import Conflict, InvalidInput
from shared.follow_through import Case, Decision, Gap, gaps_of
from shared.loading import Loader
from shared.rules import undetermined
from shared.settlement import SettlementApproved, received

TRANSFER_FACT = "student_transfer.completion"
"""What a requested transfer waits on: the receiving side's confirmation that it is done."""


def _names(codes: Iterable[str]) -> dict[str, str]:
    return {code: place_name(code) for code in set(codes)}


def family_from(case: Case, recorded: SettledFamily | None = None) -> Family:
    """The family as education decides on it: the settlement's members, with what a minor
    applicant was said to attend since, and the school year an earlier decision (`recorded`)
    placed them for."""
    settlement = case.settlement
    return Family(
        destination_region_code=settlement.destination_region_code,
        decision_date=settlement.decision_date,
        school_year=_kept(recorded) if recorded is not None else None,
        members=tuple(
            Member(
                index=index,
                name=received(m.name, "name"),
                relation=m.relation,
                birth_date=m.birth_date,
                previous_region_code=received(m.previous_region_code, "previous_region_code"),
                schooling=case.fact(index, SCHOOLING_FACT),
            )
            for index, m in enumerate(settlement.members)
        ),
    )


def decide(session: Session, case: Case) -> Decision:
    """Place the family's children (三(八)) as of the settlement's decision date (the approval
    day), on what is known now: on approval, and again each time a fact, a parameter or a
    transfer's completion arrives. A placement once decided stands (its notice sent once, its
    transfer requested once), and so does the school year the first decision placed for; a
    placement still waiting on a fact or a parameter, and a transfer the receiving side has not
    confirmed, are open items of that child's."""
    settlement = case.settlement
    county = settlement.destination_region_code
    if not regions.is_shaoguan_county(county):
        raise ValueError(f"destination {county!r} is not a county of Shaoguan")
    family = family_from(case, session.get(SettledFamily, settlement.settlement_id))
    codes = [county, *(m.previous_region_code for m in family.members)]
    decision = place_children(family, PARAMETERS.current(), region_names=_names(codes))
    settled, placements, transfers = _record(session, settlement, decision)
    gaps = [
        *(gap for row in placements for gap in _waiting(row)),
        *(_unconfirmed(transfer) for transfer in transfers if transfer.status == "requested"),
    ]
    return Decision(summary=settled.summary, gaps=tuple(gaps))


def _kept(recorded: SettledFamily) -> SchoolYear:
    """The school year recorded for the settlement, with the weeks parameter it was chosen by."""
    used = tuple(p for p in recorded.parameters if p.get("name") == NEXT_YEAR_WEEKS)
    return kept_school_year(recorded.school_year, used)


def _waiting(placement: Placement) -> list[Gap]:
    """What a placement not yet decided waits on: a fact, or a parameter (`parameters.<name>`)."""
    if placement.outcome != "information_needed":
        return []
    check = undetermined("placement", CLAUSE, placement.reason, placement.missing)
    return gaps_of([check], member_index=placement.member_index)


def _unconfirmed(transfer: StudentTransfer) -> Gap:
    return Gap(
        field=TRANSFER_FACT,
        reason=f"The student-status transfer (学籍转接, {transfer.stage}) education requested "
        "awaits the receiving side's confirmation that it is completed, recorded by POST "
        f"/v1/student-transfers/{transfer.id}/completion (三(八)).",
        kind="confirmation",
        member_index=transfer.member_index,
    )


def _record(
    session: Session, settlement: SettlementApproved, decision: EducationDecision
) -> tuple[SettledFamily, list[Placement], list[StudentTransfer]]:
    """Record the decision, and answer the family with its placements and transfers as they
    now stand: a placement decided before stands, one still waiting is decided afresh; a
    notice is sent, and a transfer requested, only by the decision that places the child."""
    settlement_id = settlement.settlement_id
    now = utcnow()
    family = session.get(SettledFamily, settlement_id)
    first = family is None
    if family is None:
        family = SettledFamily(
            settlement_id=settlement_id,
            destination_region_code=settlement.destination_region_code,
            decision_date=settlement.decision_date,
            rules_version=settlement.rules_version,
            school_year=decision.school_year,
            school_year_start=school_year_start(decision.school_year),
            parameters=[],
            information_needed=[],
            summary="",
            processed_at=now,
        )
        session.add(family)
        session.flush()  # the family row first: placements and transfers refer to it
    placements = _by_member(
        session.scalars(select(Placement).where(Placement.settlement_id == settlement_id))
    )
    transfers = _by_member(
        session.scalars(
            select(StudentTransfer).where(StudentTransfer.settlement_id == settlement_id)
        )
    )
    listed = {placed.member_index for placed in decision.placements}
    for index, row in list(placements.items()):
        if row.outcome == "information_needed" and index not in listed:
            session.delete(row)  # it had no effect: nothing to keep
            del placements[index]
    decided_now = False
    for placed in decision.placements:
        before = placements.get(placed.member_index)
        if before is not None and before.outcome != "information_needed":
            continue  # decided before: it stands
        placements[placed.member_index] = _placement(session, settlement, placed, before, now=now)
        if placed.transfer is not None and placed.member_index not in transfers:
            transfers[placed.member_index] = _transfer(
                session, settlement, placed, placed.transfer, now=now
            )
        decided_now = True
    if first or decided_now:
        family.parameters = list(decision.parameters_used)
    ordered = [placements[index] for index in sorted(placements)]
    family.information_needed = [
        missing for row in ordered if row.outcome == "information_needed" for missing in row.missing
    ]
    family.summary = summarise(
        family.destination_region_code,
        family.school_year,
        ((row.outcome, row.stage, row.member_index in transfers) for row in ordered),
        transfers_completed=sum(1 for t in transfers.values() if t.status == "completed"),
    )
    family.processed_at = now
    session.flush()
    return family, ordered, [transfers[index] for index in sorted(transfers)]


M = TypeVar("M", Placement, StudentTransfer)


def _by_member(rows: Iterable[M]) -> dict[int, M]:
    return {row.member_index: row for row in rows}


def _placement(
    session: Session,
    settlement: SettlementApproved,
    placed: Placed,
    row: Placement | None,
    *,
    now: datetime,
) -> Placement:
    """The child's placement row as decided now (a new row, or the one that was waiting)."""
    member = settlement.members[placed.member_index]
    if row is None:
        row = Placement(settlement_id=settlement.settlement_id, member_index=placed.member_index)
        session.add(row)
    row.id_number = member.id_number
    row.name = received(member.name, "name")
    row.relation = placed.relation
    row.birth_date = placed.birth_date
    row.county = placed.county
    row.school_year = placed.school_year
    row.age_at_start = placed.age_at_start
    row.outcome = placed.outcome
    row.stage = placed.stage
    row.clause = placed.clause
    row.reason = placed.reason
    row.missing = list(placed.missing)
    # Only a waiting placement is decided again, and a waiting one has sent no notice yet.
    row.notice_text = placed.notice
    row.notice_sent_at = now if placed.notice else None
    return row


def _transfer(
    session: Session,
    settlement: SettlementApproved,
    placed: Placed,
    requested: Transfer,
    *,
    now: datetime,
) -> StudentTransfer:
    """The student-status transfer the placement asks for, requested now."""
    member = settlement.members[placed.member_index]
    transfer = StudentTransfer(
        id=str(uuid.uuid4()),
        settlement_id=settlement.settlement_id,
        member_index=placed.member_index,
        id_number=member.id_number,
        name=received(member.name, "name"),
        birth_date=placed.birth_date,
        stage=requested.stage,
        from_region_code=requested.from_region_code,
        to_region_code=requested.to_region_code,
        status="requested",
        clause=requested.clause,
        reason=requested.reason,
        requested_at=now,
    )
    session.add(transfer)
    return transfer


load_transfer_row = Loader(StudentTransfer, StudentTransfer.id, "no student transfer {}")

# --- changing -----------------------------------------------------------------------------------


def complete_transfer(
    session: Session, transfer_id: str, completion: schemas.CompletionIn, *, actor: str
) -> StudentTransfer:
    """Mark a requested student-status transfer completed; a second completion is a conflict."""
    transfer = load_transfer_row(session, transfer_id, for_update=True)
    if transfer.status == "completed":
        raise Conflict(
            f"student transfer {transfer_id} was already completed on "
            f"{transfer.completed_on.isoformat() if transfer.completed_on else 'an earlier day'}",
            details=[{"field": "status", "reason": "already completed"}],
        )
    completed_on = completion.completed_on or clock.today()
    requested_on = clock.local_date(transfer.requested_at)  # the request's day in Shaoguan
    if completed_on < requested_on:
        raise InvalidInput(
            "completed_on precedes the request",
            details=[
                {
                    "field": "completed_on",
                    "reason": f"{completed_on.isoformat()} is before the transfer was requested "
                    f"on {requested_on.isoformat()}",
                }
            ],
        )
    transfer.status = "completed"
    transfer.completed_on = completed_on
    transfer.completed_at = utcnow()
    transfer.completed_by = actor
    transfer.receiving_school = completion.receiving_school
    transfer.note = completion.note
    session.flush()
    record_audit(
        session,
        TABLES,
        actor=actor,
        action="student_transfer.completed",
        entity_type="student_transfer",
        entity_id=transfer.id,
        detail={"settlement_id": transfer.settlement_id, "completed_on": completed_on.isoformat()},
    )
    return transfer
