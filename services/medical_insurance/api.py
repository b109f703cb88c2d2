"""Medical insurance's routes: parse, authorise, run one operation in one unit of work, answer."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from services.medical_insurance import care_elsewhere, operations, schemas, views
from services.medical_insurance.handlers import FOLLOW_THROUGH
from services.medical_insurance.rules import EntryStatus
from shared.auth import Principal, require
from shared.clock import today
from shared.errors import Conflict, InvalidInput, NotFound, error_responses
from shared.pagination import Page, Paging
from shared.routes import SettlementId, Write, reading, v1_router, writing
from shared.service import RuntimeDep

router = v1_router("medical insurance (三(六))")

Reading = Annotated[Session, Depends(reading("medical:read"))]
CanWrite = Annotated[Principal, Depends(require("medical:write"))]
Writing = Annotated[Write, Depends(writing("medical:write"))]
TransferId = Annotated[str, Path(min_length=1, max_length=36)]
FilingId = Annotated[str, Path(min_length=1, max_length=36)]
# The day `overdue` is judged on, Shaoguan's; a dependency, so a test can fix it.
Today = Annotated[date, Depends(today)]


@router.get(
    "/settlements/{settlement_id}",
    summary="Status and open items, then each settled member's medical insurance entry: "
    "transfer, continuation, enrollment",
    responses=error_responses(NotFound),
)
def get_settlement(
    settlement_id: SettlementId, session: Reading, on: Today
) -> schemas.SettlementOut:
    return views.settlement_out(session, settlement_id, today=on)


@router.put(
    "/settlements/{settlement_id}/members/{member_index}/insurance",
    summary="Supply what the application did not say of a member's insurance; decides the "
    "settlement again",
    responses=error_responses(NotFound, Conflict),
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
            department=FOLLOW_THROUGH,
            actor=principal.actor,
        )
        return views.entry_read(session, entry, today=on)


@router.post(
    "/transfers/{transfer_id}/confirmation",
    response_model=schemas.EntryOut,
    summary="Record the origin's answer: the months it confirms and its coverage end, or "
    "refusal; decides the settlement again",
    responses=error_responses(NotFound, Conflict),
)
def confirm_transfer(
    transfer_id: TransferId, answer: schemas.TransferConfirmationIn, write: Writing, on: Today
) -> JSONResponse:
    def recorded(session: Session) -> schemas.EntryOut:
        entry = operations.record_origin_answer(
            session,
            transfer_id=transfer_id,
            answer=answer,
            department=FOLLOW_THROUGH,
            actor=write.actor,
            today=on,
        )
        return views.entry_read(session, entry, today=on)

    return write(answer, recorded)


@router.get(
    "/transfers",
    summary="Transfers, the longest overdue first; `overdue=true` lists those past the deadline",
)
def list_transfers(
    session: Reading,
    on: Today,
    paging: Paging,
    overdue: Annotated[
        bool | None, Query(description="true: awaiting the origin past the deadline")
    ] = None,
    status: EntryStatus | None = None,
) -> Page[schemas.EntryOut]:
    return views.transfers_page(session, overdue=overdue, status=status, today=on, page=paging)


@router.get("/transfers/{transfer_id}", responses=error_responses(NotFound))
def get_transfer(transfer_id: TransferId, session: Reading, on: Today) -> schemas.EntryOut:
    return views.transfer_out(session, transfer_id, today=on)


@router.post(
    "/transfers/{transfer_id}/care-elsewhere-filings",
    status_code=201,
    response_model=schemas.FilingOut,
    summary="Record the member's filing (备案) for care at the origin while the transfer awaits "
    "it (三(六) 异地就医结算)",
    responses=error_responses(NotFound, Conflict, InvalidInput),
)
def file_care_at_origin(
    transfer_id: TransferId, filing: schemas.CareFilingIn, write: Writing, on: Today
) -> JSONResponse:
    def filed(session: Session) -> schemas.FilingOut:
        return care_elsewhere.file_care_at_origin(
            session, transfer_id=transfer_id, filing=filing, actor=write.actor, today=on
        )

    return write(filing, filed)


@router.post(
    "/care-elsewhere-filings/{filing_id}/end",
    response_model=schemas.FilingOut,
    summary="End a filing for care at the origin before the origin answers, with the reason",
    responses=error_responses(NotFound, Conflict),
)
def end_care_elsewhere_filing(
    filing_id: FilingId, ending: schemas.FilingEndIn, write: Writing, on: Today
) -> JSONResponse:
    def ended(session: Session) -> schemas.FilingOut:
        return care_elsewhere.end_filing(
            session, filing_id=filing_id, ending=ending, actor=write.actor, today=on
        )

    return write(ending, ended)


@router.get("/care-elsewhere-filings/{filing_id}", responses=error_responses(NotFound))
def get_care_elsewhere_filing(filing_id: FilingId, session: Reading) -> schemas.FilingOut:
    return care_elsewhere.filing_out(care_elsewhere.load_filing(session, filing_id))
