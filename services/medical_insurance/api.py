"""Medical insurance's routes: parse, authorise, run one operation in one unit of work, answer."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from services.medical_insurance import operations, schemas
from services.medical_insurance.config import current_parameters
from services.medical_insurance.models import TABLES
from services.medical_insurance.rules import EntryStatus
from shared.auth import Principal, require
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, error_responses
from shared.idempotency import run_idempotent, validate_key
from shared.service import RuntimeDep

router = APIRouter(prefix="/v1", tags=["medical insurance (三(六))"])

CanRead = Annotated[Principal, Depends(require("medical:read"))]
CanWrite = Annotated[Principal, Depends(require("medical:write"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
SettlementId = Annotated[str, Path(min_length=1, max_length=64)]
TransferId = Annotated[str, Path(min_length=1, max_length=36)]


def today() -> date:
    """The day `overdue` is judged on; a dependency, so it can be fixed in tests."""
    return date.today()


Today = Annotated[date, Depends(today)]

_AUTH_ERRORS = (Forbidden,)


@router.get(
    "/settlements/{settlement_id}",
    response_model=schemas.SettlementOut,
    summary="Each settled member's medical insurance entry: transfer, continuation, enrollment",
    responses=error_responses(NotFound, InvalidInput, *_AUTH_ERRORS),
)
def get_settlement(
    settlement_id: SettlementId, principal: CanRead, runtime: RuntimeDep, on: Today
) -> schemas.SettlementOut:
    with runtime.db.read_only() as session:
        return operations.settlement_out(session, settlement_id, today=on)


@router.put(
    "/settlements/{settlement_id}/members/{member_index}/insurance",
    response_model=schemas.EntryOut,
    summary="Supply what the application did not say of a member's insurance; decides the entry",
    responses=error_responses(NotFound, Conflict, InvalidInput, *_AUTH_ERRORS),
)
def supply_member_insurance(
    settlement_id: SettlementId,
    member_index: Annotated[int, Path(ge=0, le=99)],
    facts: schemas.MemberInsuranceIn,
    principal: CanWrite,
    runtime: RuntimeDep,
    on: Today,
) -> schemas.EntryOut:
    with runtime.db.unit_of_work() as session:
        entry = operations.supply_member_insurance(
            session,
            settlement_id=settlement_id,
            member_index=member_index,
            facts=facts,
            parameters=current_parameters(),
            actor=principal.actor,
        )
        return operations.entry_out(entry, today=on)


@router.post(
    "/transfers/{transfer_id}/confirmation",
    response_model=schemas.EntryOut,
    summary="Record the origin's answer: the months it confirms and its coverage end, or refusal",
    responses=error_responses(NotFound, Conflict, InvalidInput, *_AUTH_ERRORS),
)
def confirm_transfer(
    transfer_id: TransferId,
    answer: schemas.TransferConfirmationIn,
    principal: CanWrite,
    runtime: RuntimeDep,
    on: Today,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    def record(session: Session) -> tuple[int, Any]:
        entry = operations.record_origin_answer(
            session, transfer_id=transfer_id, answer=answer, actor=principal.actor
        )
        return 200, operations.entry_out(entry, today=on).model_dump(mode="json")

    status_code, body = run_idempotent(
        runtime.db,
        TABLES,
        dept=principal.dept,
        key=validate_key(idempotency_key),
        route=f"POST /v1/transfers/{transfer_id}/confirmation",
        body=answer.model_dump(mode="json"),
        operation=record,
    )
    return JSONResponse(body, status_code=status_code)


@router.get(
    "/transfers",
    response_model=schemas.TransferPage,
    summary="Transfers, the longest overdue first; `overdue=true` lists those past the deadline",
    responses=error_responses(InvalidInput, *_AUTH_ERRORS),
)
def list_transfers(
    principal: CanRead,
    runtime: RuntimeDep,
    on: Today,
    overdue: Annotated[
        bool | None, Query(description="true: awaiting the origin past the deadline")
    ] = None,
    status: EntryStatus | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> schemas.TransferPage:
    with runtime.db.read_only() as session:
        items, total = operations.list_transfers(
            session, overdue=overdue, status=status, today=on, page=page, page_size=page_size
        )
        return schemas.TransferPage(
            items=[operations.entry_out(entry, today=on) for entry in items],
            total=total,
            page=page,
            page_size=page_size,
        )


@router.get(
    "/transfers/{transfer_id}",
    response_model=schemas.EntryOut,
    responses=error_responses(NotFound, InvalidInput, *_AUTH_ERRORS),
)
def get_transfer(
    transfer_id: TransferId, principal: CanRead, runtime: RuntimeDep, on: Today
) -> schemas.EntryOut:
    with runtime.db.read_only() as session:
        return operations.entry_out(operations.load_transfer(session, transfer_id), today=on)
