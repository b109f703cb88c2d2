"""Pension's routes: parse, authorise, run one operation in one unit of work, answer."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Path
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from services.pension import operations, schemas, views
from services.pension.handlers import FOLLOW_THROUGH
from shared.errors import Conflict, NotFound, error_responses
from shared.follow_through.routes import settlement_route
from shared.routes import Write, reading, v1_router, writing

router = v1_router("pension")

# human_resources reads and writes; the departments the registry names (public security, the
# coordinator; audit; civil affairs) hold pension:read.
Reading = Annotated[Session, Depends(reading("pension:read"))]
Writing = Annotated[Write, Depends(writing("pension:write"))]
SETTLEMENT_ID = Path(
    min_length=1,
    max_length=64,
    pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$",
    description="The settlement id of `hukou.settlement.approved` (the application's id)",
)
ContinuationId = Annotated[uuid.UUID, Path(description="A continuation's id")]


settlement_route(
    router,
    FOLLOW_THROUGH,
    reading("pension:read"),
    summary="What pension decided on a settlement (三(七)): its status, open items and "
    "continuations",
    id_in_path=SETTLEMENT_ID,
)


@router.get(
    "/continuations/{continuation_id}",
    summary="One adult's pension continuation",
    responses=error_responses(NotFound),
)
def get_continuation(continuation_id: ContinuationId, session: Reading) -> schemas.ContinuationOut:
    return views.continuation_out(operations.load_continuation(session, str(continuation_id)))


# A confirmation changes a recorded continuation, it creates nothing: 200, as it was.
@router.post(
    "/continuations/{continuation_id}/confirmation",
    response_model=schemas.ContinuationOut,
    summary="Record the origin's confirmation of the months carried over (then: continued); "
    "the settlement is decided again and its item awaiting the confirmation closes",
    responses=error_responses(NotFound, Conflict),
)
def confirm_continuation(
    continuation_id: ContinuationId, confirmation: schemas.ConfirmationIn, write: Writing
) -> JSONResponse:
    return write(
        confirmation,
        lambda session: views.continuation_out(
            operations.confirm_months(
                session,
                str(continuation_id),
                confirmation,
                actor=write.actor,
                department=FOLLOW_THROUGH,
            )
        ),
    )
