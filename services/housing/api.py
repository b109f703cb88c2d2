"""Housing's routes: parse, authorise, run one operation in one unit of work, answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from services.housing import operations, schemas, views
from services.housing.handlers import FOLLOW_THROUGH
from shared import regions
from shared.errors import Conflict, InvalidInput, NotFound, error_responses
from shared.fields import shaoguan_county_reason
from shared.follow_through.routes import settlement_route
from shared.pagination import PageRequest, paging
from shared.routes import SettlementId, Write, reading, v1_router, writing

router = v1_router("housing security")

Reading = Annotated[Session, Depends(reading("housing:read"))]
Writing = Annotated[Write, Depends(writing("housing:write"))]
ApplicationId = Annotated[str, Path(min_length=1, max_length=64)]
# The waiting list pages as it always has: 100 a page, at most 500 (not 50 and 200).
WaitingPaging = Annotated[PageRequest, Depends(paging(default_size=100, max_size=500))]


settlement_route(
    router,
    FOLLOW_THROUGH,
    reading("housing:read"),
    summary="What housing decided for a settled household (三(五)), and its applications",
)


@router.post(
    "/settlements/{settlement_id}/housing-applications",
    status_code=201,
    response_model=schemas.ApplicationOut,
    summary="The household applies for the rental subsidy or public rental housing",
    responses=error_responses(NotFound, Conflict),
)
def apply_for_housing(
    settlement_id: SettlementId, request: schemas.HousingApplicationIn, write: Writing
) -> JSONResponse:
    return write(
        request,
        lambda session: views.application_out(
            session,
            operations.apply_for_housing(session, settlement_id, request.form, actor=write.actor),
        ),
    )


@router.get(
    "/housing-applications/{application_id}",
    summary="A housing application, its place on the waiting list and its outcome",
    responses=error_responses(NotFound),
)
def get_housing_application(
    application_id: ApplicationId, session: Reading
) -> schemas.ApplicationOut:
    return views.application_out(session, operations.load_application(session, application_id))


@router.post(
    "/housing-applications/{application_id}/outcome",
    response_model=schemas.ApplicationOut,
    summary="Record the department's outcome: granted (subsidy or unit) or refused (reason)",
    responses=error_responses(NotFound, Conflict),
)
def record_housing_outcome(
    application_id: ApplicationId, outcome: schemas.OutcomeIn, write: Writing
) -> JSONResponse:
    return write(
        outcome,
        lambda session: views.application_out(
            session, operations.record_outcome(session, application_id, outcome, actor=write.actor)
        ),
    )


@router.get(
    "/waiting-lists",
    summary="Every county's public rental housing waiting list counted: households and persons "
    "(no personal data)",
)
def get_waiting_lists(session: Reading) -> schemas.WaitingListsOut:
    return views.waiting_lists(session)


@router.get(
    "/waiting-lists/{region_code}",
    summary="A county's public rental housing waiting list, in order (no personal data)",
)
def get_waiting_list(
    region_code: str, session: Reading, page: WaitingPaging
) -> schemas.WaitingListOut:
    if not regions.is_shaoguan_county(region_code):
        raise InvalidInput(
            "region_code is not a county of Shaoguan",
            details=[{"field": "region_code", "reason": shaoguan_county_reason(region_code)}],
        )
    return views.waiting_list(session, region_code, page)
