"""Education's routes: parse, authorise, run one operation in one unit of work, answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Query
from fastapi.responses import JSONResponse

from services.education import operations, schemas
from services.education.config import education_parameters
from services.education.models import TABLES
from shared import regions
from shared.auth import Principal, require
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, error_responses
from shared.idempotency import run_idempotent, validate_key
from shared.service import RuntimeDep

router = APIRouter(prefix="/v1")

CanRead = Annotated[Principal, Depends(require("education:read"))]
CanWrite = Annotated[Principal, Depends(require("education:write"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
SettlementId = Annotated[str, Path(min_length=1, max_length=64)]
TransferId = Annotated[str, Path(min_length=1, max_length=36)]

_AUTH_ERRORS = (Forbidden,)


def _shaoguan_county(field: str, value: str) -> str:
    if not regions.is_shaoguan_county(value):
        counties = ", ".join(f"{code} {name}" for code, name in regions.SHAOGUAN_COUNTIES.items())
        raise InvalidInput(
            f"{field} is not a county of Shaoguan",
            details=[
                {
                    "field": field,
                    "reason": f"{value!r} is not a county or district of Shaoguan; one of: "
                    f"{counties}",
                }
            ],
        )
    return value


@router.get(
    "/settlements/{settlement_id}",
    response_model=schemas.SettlementOut,
    tags=["settlements"],
    summary="What education decided for a settlement: a placement per child (三(八))",
    responses=error_responses(NotFound, InvalidInput, *_AUTH_ERRORS),
)
def get_settlement(
    settlement_id: SettlementId, principal: CanRead, runtime: RuntimeDep
) -> schemas.SettlementOut:
    with runtime.db.read_only() as session:
        return operations.load_settlement(session, settlement_id)


@router.get(
    "/student-transfers",
    response_model=schemas.TransferPage,
    tags=["student transfers"],
    summary="Student-status transfers (学籍转接), filtered and paged (newest first)",
    responses=error_responses(InvalidInput, *_AUTH_ERRORS),
)
def list_student_transfers(
    principal: CanRead,
    runtime: RuntimeDep,
    status: schemas.TransferStatus | None = None,
    region_code: str | None = Query(None, description="the receiving county"),
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> schemas.TransferPage:
    if region_code is not None:
        _shaoguan_county("region_code", region_code)
    with runtime.db.read_only() as session:
        return operations.list_transfers(
            session, status=status, region_code=region_code, page=page, page_size=page_size
        )


@router.get(
    "/student-transfers/{transfer_id}",
    response_model=schemas.TransferOut,
    tags=["student transfers"],
    responses=error_responses(NotFound, InvalidInput, *_AUTH_ERRORS),
)
def get_student_transfer(
    transfer_id: TransferId, principal: CanRead, runtime: RuntimeDep
) -> schemas.TransferOut:
    with runtime.db.read_only() as session:
        return operations.load_transfer(session, transfer_id)


@router.post(
    "/student-transfers/{transfer_id}/completion",
    response_model=schemas.TransferOut,
    tags=["student transfers"],
    summary="Record that a student-status transfer is completed (once: again is 409)",
    responses=error_responses(NotFound, Conflict, InvalidInput, *_AUTH_ERRORS),
)
def complete_student_transfer(
    transfer_id: TransferId,
    principal: CanWrite,
    runtime: RuntimeDep,
    completion: Annotated[schemas.CompletionIn | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    given = completion or schemas.CompletionIn()

    def complete(session: Any) -> tuple[int, Any]:
        transfer = operations.complete_transfer(session, transfer_id, given, actor=principal.actor)
        return 200, schemas.dump(transfer)

    status_code, body = run_idempotent(
        runtime.db,
        TABLES,
        dept=principal.dept,
        key=validate_key(idempotency_key),
        route=f"POST /v1/student-transfers/{transfer_id}/completion",
        body=given.model_dump(mode="json"),
        operation=complete,
    )
    return JSONResponse(body, status_code=status_code)


@router.get(
    "/planning/{region_code}",
    response_model=schemas.PlanningOut,
    tags=["planning"],
    summary="Places settled families need in a county by stage, this school year and next",
    responses=error_responses(InvalidInput, *_AUTH_ERRORS),
)
def get_planning(
    region_code: str,
    principal: CanRead,
    runtime: RuntimeDep,
    year: Annotated[
        int,
        Query(
            ge=2016,
            le=2100,
            description="The school year starting on 1 September of this year",
        ),
    ],
) -> schemas.PlanningOut:
    _shaoguan_county("region_code", region_code)
    parameters = education_parameters()
    with runtime.db.read_only() as session:
        return operations.plan_county_places(
            session, region_code=region_code, year=year, parameters=parameters
        )
