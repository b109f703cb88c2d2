"""Education's routes: parse, authorise, run one operation in one unit of work, answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Depends, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from services.education import operations, schemas
from services.education.config import PARAMETERS
from shared import regions
from shared.auth import Principal, require
from shared.errors import Conflict, InvalidInput, NotFound, error_responses
from shared.fields import shaoguan_county_reason
from shared.pagination import LAST_PAGE, Page, PageRequest
from shared.routes import IdempotencyKey, create_idempotently, v1_router
from shared.service import RuntimeDep

router = v1_router()

CanRead = Annotated[Principal, Depends(require("education:read"))]
CanWrite = Annotated[Principal, Depends(require("education:write"))]
SettlementId = Annotated[str, Path(min_length=1, max_length=64)]
TransferId = Annotated[str, Path(min_length=1, max_length=36)]


def _page_request(
    page: Annotated[int, Query(ge=1, le=LAST_PAGE, description="counted from 1")] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PageRequest:
    return PageRequest(page=page, page_size=page_size)


# Until the kernel's `Paging` works: under `from __future__ import annotations` its `paging()`
# leaves `le=max_size` a name FastAPI cannot resolve, so a `page_size` answers 500.
Paging = Annotated[PageRequest, Depends(_page_request)]


def _shaoguan_county(field: str, value: str) -> str:
    if not regions.is_shaoguan_county(value):
        raise InvalidInput(
            f"{field} is not a county of Shaoguan",
            details=[{"field": field, "reason": shaoguan_county_reason(value)}],
        )
    return value


@router.get(
    "/settlements/{settlement_id}",
    response_model=schemas.SettlementOut,
    tags=["settlements"],
    summary="What education decided for a settlement: a placement per child (三(八))",
    responses=error_responses(NotFound),
)
def get_settlement(
    settlement_id: SettlementId, principal: CanRead, runtime: RuntimeDep
) -> schemas.SettlementOut:
    with runtime.db.read_only() as session:
        return operations.load_settlement(session, settlement_id)


@router.get(
    "/student-transfers",
    response_model=Page[schemas.TransferOut],
    tags=["student transfers"],
    summary="Student-status transfers (学籍转接), filtered and paged (newest first)",
)
def list_student_transfers(
    principal: CanRead,
    runtime: RuntimeDep,
    paging: Paging,
    status: schemas.TransferStatus | None = None,
    region_code: Annotated[str | None, Query(description="the receiving county")] = None,
) -> Page[schemas.TransferOut]:
    if region_code is not None:
        _shaoguan_county("region_code", region_code)
    with runtime.db.read_only() as session:
        return operations.list_transfers(
            session, status=status, region_code=region_code, request=paging
        )


@router.get(
    "/student-transfers/{transfer_id}",
    response_model=schemas.TransferOut,
    tags=["student transfers"],
    responses=error_responses(NotFound),
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
    responses=error_responses(NotFound, Conflict),
)
def complete_student_transfer(
    transfer_id: TransferId,
    principal: CanWrite,
    runtime: RuntimeDep,
    completion: Annotated[schemas.CompletionIn | None, Body()] = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    given = completion or schemas.CompletionIn()

    def complete(session: Session) -> tuple[int, Any]:
        transfer = operations.complete_transfer(session, transfer_id, given, actor=principal.actor)
        return 200, schemas.dump(transfer)

    return create_idempotently(
        runtime,
        principal,
        key=idempotency_key,
        route=f"POST /v1/student-transfers/{transfer_id}/completion",
        body=given.model_dump(mode="json"),
        operation=complete,
    )


@router.get(
    "/planning/{region_code}",
    response_model=schemas.PlanningOut,
    tags=["planning"],
    summary="Places settled families need in a county by stage, this school year and next",
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
    parameters = PARAMETERS.current()
    with runtime.db.read_only() as session:
        return operations.plan_county_places(
            session, region_code=region_code, year=year, parameters=parameters
        )
