"""Education's use cases over a Session (the caller owns the unit of work)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from services.education import schemas
from services.education.models import TABLES, Placement, SettledFamily, StudentTransfer
from services.education.rules import (
    CLAUSE,
    Family,
    Member,
    SettledChild,
    place_children,
    plan_places,
    school_year_label,
    school_year_start,
    stage_bands,
)
from services.education.schemas import place_name
from shared import clock, regions
from shared.audit import record_audit
from shared.db import utcnow
from shared.errors import Conflict, InvalidInput
from shared.pagination import Page, PageRequest, fetch_page, page_of
from shared.parameters import ParameterSet
from shared.routes import load_one
from shared.settlement import SettlementApproved


def _names(codes: Iterable[str]) -> dict[str, str]:
    return {code: place_name(code) for code in set(codes)}


def family_from(settlement: SettlementApproved) -> Family:
    return Family(
        destination_region_code=settlement.destination_region_code,
        decision_date=settlement.decision_date,
        members=tuple(
            Member(
                index=index,
                name=m.name,
                relation=m.relation,
                birth_date=m.birth_date,
                previous_region_code=m.previous_region_code,
            )
            for index, m in enumerate(settlement.members)
        ),
    )


def place_settled_children(
    session: Session, settlement: SettlementApproved, *, parameters: ParameterSet
) -> str:
    """Act on an approved settlement (三(八)): a placement per child, a notice to the family,
    student-status transfers; once per settlement, however often the event comes."""
    acted = session.get(SettledFamily, settlement.settlement_id)
    if acted is not None:
        return acted.summary
    county = settlement.destination_region_code
    if not regions.is_shaoguan_county(county):
        raise ValueError(f"destination {county!r} is not a county of Shaoguan")
    family = family_from(settlement)
    codes = [county, *(m.previous_region_code for m in family.members)]
    decision = place_children(family, parameters, region_names=_names(codes))
    now = utcnow()
    summary = decision.summary()
    session.add(
        SettledFamily(
            settlement_id=settlement.settlement_id,
            destination_region_code=county,
            decision_date=settlement.decision_date,
            rules_version=settlement.rules_version,
            school_year=decision.school_year,
            school_year_start=school_year_start(decision.school_year),
            parameters=list(decision.parameters_used),
            information_needed=list(decision.information_needed),
            summary=summary,
            processed_at=now,
        )
    )
    session.flush()  # the family row first: placements and transfers refer to it
    for placement in decision.placements:
        member = settlement.members[placement.member_index]
        session.add(
            Placement(
                settlement_id=settlement.settlement_id,
                member_index=placement.member_index,
                id_number=member.id_number,
                name=member.name,
                relation=placement.relation,
                birth_date=placement.birth_date,
                county=placement.county,
                school_year=placement.school_year,
                age_at_start=placement.age_at_start,
                outcome=placement.outcome,
                stage=placement.stage,
                clause=placement.clause,
                reason=placement.reason,
                missing=list(placement.missing),
                notice_text=placement.notice,
                notice_sent_at=now if placement.notice else None,
            )
        )
        if placement.transfer is not None:
            session.add(
                StudentTransfer(
                    id=str(uuid.uuid4()),
                    settlement_id=settlement.settlement_id,
                    member_index=placement.member_index,
                    id_number=member.id_number,
                    name=member.name,
                    birth_date=placement.birth_date,
                    stage=placement.transfer.stage,
                    from_region_code=placement.transfer.from_region_code,
                    to_region_code=placement.transfer.to_region_code,
                    status="requested",
                    clause=placement.transfer.clause,
                    reason=placement.transfer.reason,
                    requested_at=now,
                )
            )
    session.flush()
    return summary


# --- reading ------------------------------------------------------------------------------------


def _transfer_out(transfer: StudentTransfer) -> schemas.TransferOut:
    return schemas.TransferOut.model_validate(transfer, from_attributes=True)


def _placement_out(placement: Placement) -> schemas.PlacementOut:
    notice = None
    if placement.notice_text is not None and placement.notice_sent_at is not None:
        notice = schemas.NoticeOut(text=placement.notice_text, sent_at=placement.notice_sent_at)
    return schemas.PlacementOut(
        member_index=placement.member_index,
        name=placement.name,
        id_number=placement.id_number,
        relation=placement.relation,
        birth_date=placement.birth_date,
        school_year=school_year_label(placement.school_year),
        school_year_start=school_year_start(placement.school_year),
        age_at_school_year_start=placement.age_at_start,
        outcome=placement.outcome,
        stage=placement.stage,
        county=placement.county,
        county_name=place_name(placement.county),
        clause=placement.clause,
        reason=placement.reason,
        information_needed=placement.missing,
        notice=notice,
    )


def load_settlement(session: Session, settlement_id: str) -> schemas.SettlementOut:
    family = load_one(
        session,
        SettledFamily,
        SettledFamily.settlement_id == settlement_id,
        not_found=f"education has not acted on settlement {settlement_id}",
        options=(selectinload(SettledFamily.placements), selectinload(SettledFamily.transfers)),
    )
    return schemas.SettlementOut(
        settlement_id=family.settlement_id,
        destination_region_code=family.destination_region_code,
        destination_region_name=place_name(family.destination_region_code),
        decision_date=family.decision_date,
        rules_version=family.rules_version,
        clause=CLAUSE,
        school_year=school_year_label(family.school_year),
        school_year_start=family.school_year_start,
        placements=[_placement_out(p) for p in family.placements],
        transfers=[_transfer_out(t) for t in family.transfers],
        information_needed=family.information_needed,
        parameters_used=family.parameters,
        summary=family.summary,
        processed_at=family.processed_at,
    )


def list_transfers(
    session: Session, *, status: str | None, region_code: str | None, request: PageRequest
) -> Page[schemas.TransferOut]:
    """Transfers into a county (region_code: the receiving county), newest first."""
    query = select(StudentTransfer)
    if status is not None:
        query = query.where(StudentTransfer.status == status)
    if region_code is not None:
        query = query.where(StudentTransfer.to_region_code == region_code)
    ordered = query.order_by(StudentTransfer.requested_at.desc(), StudentTransfer.id)
    rows, total = fetch_page(session, ordered, request)
    return page_of([_transfer_out(t) for t in rows], total, request)


def _transfer(session: Session, transfer_id: str, *, for_update: bool = False) -> StudentTransfer:
    return load_one(
        session,
        StudentTransfer,
        StudentTransfer.id == transfer_id,
        not_found=f"no student transfer {transfer_id}",
        for_update=for_update,
    )


def load_transfer(session: Session, transfer_id: str) -> schemas.TransferOut:
    return _transfer_out(_transfer(session, transfer_id))


# --- changing -----------------------------------------------------------------------------------


def complete_transfer(
    session: Session, transfer_id: str, completion: schemas.CompletionIn, *, actor: str
) -> schemas.TransferOut:
    """Mark a requested student-status transfer completed; a second completion is a conflict."""
    transfer = _transfer(session, transfer_id, for_update=True)
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
    return _transfer_out(transfer)


# --- planning -----------------------------------------------------------------------------------


def plan_county_places(
    session: Session, *, region_code: str, year: int, parameters: ParameterSet
) -> schemas.PlanningOut:
    """The places settled families need in a county this school year and next (三(八))."""
    rows = session.execute(
        select(Placement.birth_date, Placement.school_year).where(
            Placement.county == region_code,
            Placement.school_year <= year,
            # A minor applicant awaiting facts is not counted; a child is, by age, even when
            # the stage ages were missing when it was placed.
            or_(Placement.outcome != "information_needed", Placement.relation == "child"),
        )
    ).all()
    this_start, next_start = school_year_start(year), school_year_start(year + 1)
    plan = plan_places(
        [SettledChild(birth_date=r.birth_date, school_year=r.school_year) for r in rows],
        county=region_code,
        year=year,
        bands_this_year=stage_bands(parameters, this_start, region_code),
        bands_next_year=stage_bands(parameters, next_start, region_code),
    )
    compulsory = None
    if plan.stages:
        this_year, next_year = plan.compulsory()
        compulsory = schemas.PlacesOut(
            this_year=this_year, next_year=next_year, change=next_year - this_year
        )
    return schemas.PlanningOut(
        region_code=region_code,
        region_name=place_name(region_code),
        clause=plan.clause,
        school_year=school_year_label(year),
        school_year_start=this_start,
        next_school_year=school_year_label(year + 1),
        next_school_year_start=next_start,
        basis=f"Children recorded by education in settlements to {place_name(region_code)} "
        f"decided up to {(next_start - timedelta(days=1)).isoformat()} (school years up to "
        f"{school_year_label(year)}), each counted in the stage of their age on "
        f"{this_start.isoformat()} and on {next_start.isoformat()}; a child under the "
        "preschool age or an adult is counted in no stage.",
        children_counted=plan.children_counted,
        stages=[schemas.StageNeedOut.model_validate(s, from_attributes=True) for s in plan.stages],
        compulsory=compulsory,
        entering_preschool_next_year=plan.entering_preschool_next_year,
        leaving_senior_high_next_year=plan.leaving_senior_high_next_year,
        information_needed=list(plan.information_needed),
        parameters_used=list(plan.parameters_used),
    )
