"""Housing's routes: parse, authorise, run one operation in one unit of work, answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.housing import operations, schemas, views
from services.housing.models import TABLES
from shared import regions
from shared.auth import Principal, require
from shared.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
    error_responses,
)
from shared.idempotency import run_idempotent, validate_key
from shared.service import Runtime, RuntimeDep

router = APIRouter(prefix="/v1", tags=["housing security"])

CanRead = Annotated[Principal, Depends(require("housing:read"))]
CanWrite = Annotated[Principal, Depends(require("housing:write"))]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", description="The same key and body answer the first answer"),
]
SettlementId = Annotated[str, Path(min_length=1, max_length=64)]
ApplicationId = Annotated[str, Path(min_length=1, max_length=64)]

_ALWAYS = (Unauthenticated, Forbidden, InvalidInput)
# Two applications racing for a county's next queue number (or for the household's one
# application): the loser's insert fails and it runs again, seeing the winner's row.
_ATTEMPTS = 3


def _create(
    runtime: Runtime,
    principal: Principal,
    *,
    key: str | None,
    route: str,
    body: Any,
    operation: Callable[[Session], tuple[int, Any]],
) -> JSONResponse:
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            status_code, answer = run_idempotent(
                runtime.db,
                TABLES,
                dept=principal.dept,
                key=validate_key(key),
                route=route,
                body=body,
                operation=operation,
            )
            return JSONResponse(answer, status_code=status_code)
        except IntegrityError:
            if attempt == _ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@router.get(
    "/settlements/{settlement_id}",
    response_model=schemas.SettlementOut,
    summary="What housing decided for a settled household (三(五)), and its applications",
    responses=error_responses(*_ALWAYS, NotFound),
)
def get_settlement(
    settlement_id: SettlementId, principal: CanRead, runtime: RuntimeDep
) -> schemas.SettlementOut:
    with runtime.db.read_only() as session:
        assessment = operations.load_assessment(session, settlement_id)
        return views.settlement_out(session, assessment)


@router.post(
    "/settlements/{settlement_id}/housing-applications",
    status_code=201,
    response_model=schemas.ApplicationOut,
    summary="The household applies for the rental subsidy or public rental housing",
    responses=error_responses(*_ALWAYS, NotFound, Conflict),
)
def apply_for_housing(
    settlement_id: SettlementId,
    request: schemas.HousingApplicationIn,
    principal: CanWrite,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    def apply(session: Session) -> tuple[int, Any]:
        application = operations.apply_for_housing(
            session, settlement_id, request.form, actor=principal.actor
        )
        return 201, schemas.dump(views.application_out(session, application))

    return _create(
        runtime,
        principal,
        key=idempotency_key,
        route=f"POST /v1/settlements/{settlement_id}/housing-applications",
        body=request.model_dump(mode="json"),
        operation=apply,
    )


@router.get(
    "/housing-applications/{application_id}",
    response_model=schemas.ApplicationOut,
    summary="A housing application, its place on the waiting list and its outcome",
    responses=error_responses(*_ALWAYS, NotFound),
)
def get_housing_application(
    application_id: ApplicationId, principal: CanRead, runtime: RuntimeDep
) -> schemas.ApplicationOut:
    with runtime.db.read_only() as session:
        application = operations.load_application(session, application_id)
        return views.application_out(session, application)


@router.post(
    "/housing-applications/{application_id}/outcome",
    response_model=schemas.ApplicationOut,
    summary="Record the department's outcome: granted (subsidy or unit) or refused (reason)",
    responses=error_responses(*_ALWAYS, NotFound, Conflict),
)
def record_housing_outcome(
    application_id: ApplicationId,
    outcome: schemas.OutcomeIn,
    principal: CanWrite,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    def record(session: Session) -> tuple[int, Any]:
        application = operations.record_outcome(
            session, application_id, outcome, actor=principal.actor
        )
        return 200, schemas.dump(views.application_out(session, application))

    return _create(
        runtime,
        principal,
        key=idempotency_key,
        route=f"POST /v1/housing-applications/{application_id}/outcome",
        body=outcome.model_dump(mode="json"),
        operation=record,
    )


@router.get(
    "/waiting-lists/{region_code}",
    response_model=schemas.WaitingListOut,
    summary="A county's public rental housing waiting list, in order (no personal data)",
    responses=error_responses(*_ALWAYS),
)
def get_waiting_list(
    region_code: str,
    principal: CanRead,
    runtime: RuntimeDep,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
) -> schemas.WaitingListOut:
    if not regions.is_shaoguan_county(region_code):
        counties = ", ".join(f"{code} {name}" for code, name in regions.SHAOGUAN_COUNTIES.items())
        raise InvalidInput(
            "region_code is not a county of Shaoguan",
            details=[
                {
                    "field": "region_code",
                    "reason": f"{region_code!r} is not a county or district of Shaoguan; "
                    f"one of: {counties}",
                }
            ],
        )
    with runtime.db.read_only() as session:
        return views.waiting_list(session, region_code, page=page, page_size=page_size)
