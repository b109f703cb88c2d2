"""Education's routes: parse, authorise, run one operation in one unit of work, answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Body, Depends, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from services.education import handlers, schemas, views
from services.education.rules import PARAMETERS
from shared.errors import Conflict, NotFound, error_responses
from shared.fields import ShaoguanCounty
from shared.follow_through.routes import settlement_route
from shared.pagination import Page, Paging
from shared.routes import Write, reading, v1_router, writing

router = v1_router()

Reading = Annotated[Session, Depends(reading("education:read"))]
Writing = Annotated[Write, Depends(writing("education:write"))]
TransferId = Annotated[str, Path(min_length=1, max_length=36)]
PlanningYear = Annotated[
    int, Query(ge=2016, le=2100, description="The school year starting on 1 September of this year")
]


settlement_route(
    router,
    handlers.FOLLOW_THROUGH,
    reading("education:read"),
    tags=["settlements"],
    summary="What education decided for a settlement: status, open items, a placement per child",
)


@router.get(
    "/student-transfers",
    tags=["student transfers"],
    summary="Student-status transfers (学籍转接), filtered and paged (newest first)",
)
def list_student_transfers(
    session: Reading,
    paging: Paging,
    status: schemas.TransferStatus | None = None,
    region_code: Annotated[ShaoguanCounty | None, Query(description="the receiving county")] = None,
) -> Page[schemas.TransferOut]:
    return views.list_transfers(session, status=status, region_code=region_code, request=paging)


@router.get(
    "/student-transfers/{transfer_id}",
    tags=["student transfers"],
    summary="A student-status transfer (学籍转接) education requested, and its completion",
    responses=error_responses(NotFound),
)
def get_student_transfer(transfer_id: TransferId, session: Reading) -> schemas.TransferOut:
    return views.load_transfer(session, transfer_id)


# A completion changes a recorded transfer, it creates nothing: 200, as it always was.
@router.post(
    "/student-transfers/{transfer_id}/completion",
    response_model=schemas.TransferOut,
    tags=["student transfers"],
    summary="Record that a student-status transfer is completed (once: again is 409); the "
    "settlement is decided again, its open item closed",
    responses=error_responses(NotFound, Conflict),
)
def complete_student_transfer(
    transfer_id: TransferId,
    write: Writing,
    completion: Annotated[schemas.CompletionIn | None, Body()] = None,
) -> JSONResponse:
    given = completion or schemas.CompletionIn()
    return write(
        given,
        lambda session: handlers.record_completion(session, transfer_id, given, actor=write.actor),
    )


@router.get(
    "/planning",
    tags=["planning"],
    summary="Places settled families need in every county by stage, this school year and next",
)
def get_planning_of_every_county(session: Reading, year: PlanningYear) -> list[schemas.PlanningOut]:
    return views.plan_every_county(session, year=year, parameters=PARAMETERS.current())


@router.get(
    "/planning/{region_code}",
    tags=["planning"],
    summary="Places settled families need in a county by stage, this school year and next",
)
def get_planning(
    region_code: ShaoguanCounty,
    session: Reading,
    year: PlanningYear,
) -> schemas.PlanningOut:
    return views.plan_county_places(
        session, region_code=region_code, year=year, parameters=PARAMETERS.current()
    )
