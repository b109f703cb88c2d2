"""What housing shows: a settlement's assessment and applications, a county's waiting list,
every county's list counted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from services.housing import schemas
from services.housing.models import FOLLOW_THROUGH_TABLES, HousingApplication, HousingAssessment
from services.housing.operations import PENDING, PUBLIC_RENTAL_HOUSING, load_assessment
from services.housing.rules import CLAUSE
from shared.assessment import eligible, household_settlement, yuan
from shared.clock import local_date
from shared.db import columns_of
from shared.pagination import PageRequest, fetch_page
from shared.regions import SHAOGUAN_COUNTIES


def _waiting(region_code: str) -> Select[Any]:
    # Select[Any]: the kernel's fetch_page is typed for SQLAlchemy 2.0's Select[tuple[...]].
    return select(HousingApplication).where(
        HousingApplication.region_code == region_code,
        HousingApplication.form == PUBLIC_RENTAL_HOUSING,
        HousingApplication.status == PENDING,
    )


def position_of(session: Session, application: HousingApplication) -> int | None:
    """The application's current place on its county's list (1 is next), or None off it."""
    if application.status != PENDING or application.queue_number is None:
        return None
    ahead = session.execute(
        select(func.count()).select_from(
            _waiting(application.region_code)
            .where(HousingApplication.queue_number <= application.queue_number)
            .subquery()
        )
    ).scalar_one()
    return int(ahead)


def waiting_list(
    session: Session, region_code: str, request: PageRequest
) -> schemas.WaitingListOut:
    """The county's waiting list in application order, positions counted from 1."""
    rows, total = fetch_page(
        session, _waiting(region_code).order_by(HousingApplication.queue_number), request
    )
    return schemas.WaitingListOut(
        region_code=region_code,
        region_name=SHAOGUAN_COUNTIES[region_code],
        total=total,
        page=request.page,
        page_size=request.page_size,
        items=[
            schemas.WaitingEntryOut(
                position=request.offset + index + 1,
                queue_number=row.queue_number or 0,
                application_id=row.id,
                settlement_id=row.settlement_id,
                household_size=row.household_size,
                # The day it joined the list in Shaoguan, not in the server's zone.
                since=local_date(row.applied_at),
            )
            for index, row in enumerate(rows)
        ],
    )


def waiting_lists(session: Session) -> schemas.WaitingListsOut:
    """Each county's waiting list counted: households waiting for a unit, and their members."""
    rows = session.execute(
        select(
            HousingApplication.region_code,
            func.count(),
            func.coalesce(func.sum(HousingApplication.household_size), 0),
        )
        .where(
            HousingApplication.form == PUBLIC_RENTAL_HOUSING,
            HousingApplication.status == PENDING,
        )
        .group_by(HousingApplication.region_code)
    ).all()
    counted = {code: (int(households), int(persons)) for code, households, persons in rows}
    counties = []
    for code, name in SHAOGUAN_COUNTIES.items():
        households, persons = counted.get(code, (0, 0))
        counties.append(
            schemas.CountyWaitingOut(
                region_code=code, region_name=name, households=households, persons=persons
            )
        )
    return schemas.WaitingListsOut(clause=CLAUSE, counties=counties)


def application_out(session: Session, application: HousingApplication) -> schemas.ApplicationOut:
    place = None
    if application.queue_number is not None:
        place = schemas.WaitingPlaceOut(
            queue_number=application.queue_number, position=position_of(session, application)
        )
    decided = None
    if application.decided_at is not None:
        decided = schemas.OutcomeOut(
            outcome=application.status,
            monthly_subsidy=yuan(application.monthly_subsidy_fen),
            unit_reference=application.unit_reference,
            reason=application.refusal_reason,
            decided_at=application.decided_at,
        )
    return schemas.ApplicationOut.model_validate(
        {
            **columns_of(application),
            "clause": CLAUSE,
            "waiting_list": place,
            "outcome": decided,
        }
    )


def assessment_out(assessment: HousingAssessment) -> schemas.AssessmentOut:
    # The checks, the parameters used and the facts are stored in the shape they are answered in.
    return schemas.AssessmentOut.model_validate(
        {
            **columns_of(assessment),
            "clause": CLAUSE,
            "eligible": eligible(assessment.outcome),
            "monthly_rental_subsidy": yuan(assessment.monthly_rental_subsidy_fen),
        }
    )


def settlement_out(session: Session, assessment: HousingAssessment) -> schemas.SettlementOut:
    return schemas.SettlementOut(
        **household_settlement(session, FOLLOW_THROUGH_TABLES, assessment),
        assessment=assessment_out(assessment),
        applications=[application_out(session, a) for a in assessment.applications],
    )


def settlement_record(session: Session, settlement_id: str) -> schemas.SettlementOut:
    """The settlement as `GET /v1/settlements/{id}` answers it, or a 404."""
    return settlement_out(session, load_assessment(session, settlement_id))
