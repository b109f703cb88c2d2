"""What education shows: a settlement's placements and transfers, the transfer lists, a
county's planning view."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from services.education import schemas
from services.education.models import (
    FOLLOW_THROUGH_TABLES,
    Placement,
    SettledFamily,
    StudentTransfer,
)
from services.education.operations import load_transfer_row
from services.education.rules import (
    CLAUSE,
    SettledChild,
    plan_places,
    school_year_label,
    school_year_start,
    stage_bands,
)
from services.education.schemas import place_name
from shared.follow_through import state_of
from shared.loading import Loader
from shared.pagination import Page, PageRequest, fetch_page, page_of
from shared.parameters import ParameterSet
from shared.regions import SHAOGUAN_COUNTIES


def transfer_out(transfer: StudentTransfer) -> schemas.TransferOut:
    return schemas.TransferOut.model_validate(transfer, from_attributes=True)


def placement_out(placement: Placement) -> schemas.PlacementOut:
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


load_family = Loader(
    SettledFamily,
    SettledFamily.settlement_id,
    "education has not acted on settlement {}",
    options=(selectinload(SettledFamily.placements), selectinload(SettledFamily.transfers)),
)


def settlement_out(session: Session, settlement_id: str) -> schemas.SettlementOut:
    """What education decided for one settlement and what it still has open, or a 404."""
    family = load_family(session, settlement_id)
    return schemas.SettlementOut(
        **state_of(session, FOLLOW_THROUGH_TABLES, settlement_id).model_dump(),
        destination_region_code=family.destination_region_code,
        destination_region_name=place_name(family.destination_region_code),
        decision_date=family.decision_date,
        rules_version=family.rules_version,
        clause=CLAUSE,
        school_year=school_year_label(family.school_year),
        school_year_start=family.school_year_start,
        placements=[placement_out(p) for p in family.placements],
        transfers=[transfer_out(t) for t in family.transfers],
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
    return page_of([transfer_out(t) for t in rows], total, request)


def load_transfer(session: Session, transfer_id: str) -> schemas.TransferOut:
    return transfer_out(load_transfer_row(session, transfer_id))


def plan_county_places(
    session: Session, *, region_code: str, year: int, parameters: ParameterSet
) -> schemas.PlanningOut:
    """The places settled families need in a county this school year and next (三(八))."""
    this_start, next_start = school_year_start(year), school_year_start(year + 1)
    rows = session.execute(
        select(Placement.birth_date, Placement.school_year, SettledFamily.decision_date)
        .join(SettledFamily, SettledFamily.settlement_id == Placement.settlement_id)
        .where(
            Placement.county == region_code,
            SettledFamily.decision_date < next_start,
            # A minor applicant awaiting facts is not counted; a child is, by age, even when
            # the stage ages were missing when it was placed.
            or_(Placement.outcome != "information_needed", Placement.relation == "child"),
        )
    ).all()
    plan = plan_places(
        [
            SettledChild(r.birth_date, school_year=r.school_year, decided_on=r.decision_date)
            for r in rows
        ],
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
        f"{this_start.isoformat()} and on {next_start.isoformat()}, one placed for "
        f"{school_year_label(year + 1)} on the second day only; a child under the preschool "
        "age or an adult is counted in no stage.",
        children_counted=plan.children_counted,
        stages=[schemas.StageNeedOut.model_validate(s, from_attributes=True) for s in plan.stages],
        compulsory=compulsory,
        entering_preschool_next_year=plan.entering_preschool_next_year,
        leaving_senior_high_next_year=plan.leaving_senior_high_next_year,
        information_needed=list(plan.information_needed),
        parameters_used=list(plan.parameters_used),
    )


def plan_every_county(
    session: Session, *, year: int, parameters: ParameterSet
) -> list[schemas.PlanningOut]:
    """Each Shaoguan county's plan (三(八)), in the counties' order: the supply figure public
    security reads beside its settlement targets (二.7)."""
    return [
        plan_county_places(session, region_code=code, year=year, parameters=parameters)
        for code in SHAOGUAN_COUNTIES
    ]
