"""The supervision's routes (四(三) 纳入市政府督查工作范围): the open items due, the follow-up list
(督办), the weekly digest and the incidents. Reading takes `coordination:read`; chasing,
`coordination:write`, which only the coordination department holds."""

# No `from __future__ import annotations`: FastAPI reads the Query models' annotations.
from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from services.coordination import digest, follow_ups, incidents, open_items
from services.coordination import supervision_schemas as schemas
from shared import clock
from shared.errors import Conflict, NotFound, error_responses
from shared.pagination import Paging, page_of
from shared.routes import Write, reading, v1_router, writing
from shared.service import RuntimeDep

router = v1_router("supervision")

Reading = Annotated[Session, Depends(reading("coordination:read"))]
Writing = Annotated[Write, Depends(writing("coordination:write"))]


@router.get(
    "/open-items",
    summary="Every department's open items due by a day, the oldest due first, each with how "
    "many days it is overdue and whether it is chased (四(三))",
)
def list_open_items(
    session: Reading, paging: Paging, filters: Annotated[schemas.OpenItemsFilter, Query()]
) -> schemas.DueItemPage:
    found, total = open_items.list_due(session, filters, paging)
    return page_of(found, total, paging)


@router.get(
    "/open-items/summary",
    summary="Open, due and overdue items per county and per department on a day, with the "
    "oldest overdue age",
)
def summarise_open_items(
    session: Reading,
    as_of: Annotated[date | None, Query(description="default: today in Shaoguan")] = None,
) -> schemas.OpenItemsSummaryOut:
    return open_items.summary(session, as_of or clock.today())


@router.post(
    "/follow-ups",
    status_code=201,
    response_model=schemas.FollowUpOut,
    summary="Chase a department's open item (督办): a new follow-up, or one more chase of the "
    "open one; it closes when the department reports the item done",
    responses=error_responses(NotFound, Conflict),
)
def chase_open_item(request: schemas.FollowUpIn, write: Writing) -> JSONResponse:
    return write(request, lambda session: follow_ups.chase(session, request, actor=write.actor))


@router.get("/follow-ups", summary="The follow-up list, the oldest opened first")
def list_follow_ups(
    session: Reading, paging: Paging, filters: Annotated[schemas.FollowUpFilter, Query()]
) -> schemas.FollowUpPage:
    found, total = follow_ups.list_follow_ups(session, filters, paging)
    return page_of(found, total, paging)


@router.get(
    "/follow-ups/{follow_up_id}",
    summary="One follow-up: every chase, and the report that closed it",
    responses=error_responses(NotFound),
)
def get_follow_up(
    session: Reading, follow_up_id: Annotated[str, Path(min_length=1, max_length=36)]
) -> schemas.FollowUpOut:
    return follow_ups.get_follow_up(session, follow_up_id)


@router.get(
    "/supervision/digest",
    summary="The week per county for the municipal supervision office: only counts",
)
def weekly_digest(
    session: Reading,
    week: Annotated[
        str | None,
        Query(max_length=8, description="an ISO week, YYYY-Www (default: the last full week)"),
    ] = None,
) -> schemas.DigestOut:
    return digest.weekly_digest(session, week)


@router.get(
    "/incidents",
    summary="Departments whose decision failed, departments that stopped reporting, and the "
    "office's own dead letters",
)
def list_incidents(session: Reading, runtime: RuntimeDep) -> schemas.IncidentsOut:
    return incidents.incidents(session, runtime.bus, incidents.PARAMETERS.current())
