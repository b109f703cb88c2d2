"""Civil affairs' routes: parse, authorise, read in one unit of work, answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from services.civil_affairs import operations, schemas, views
from shared.errors import NotFound, error_responses
from shared.routes import SettlementId, reading, v1_router

router = v1_router("minimum living guarantee")

Reading = Annotated[Session, Depends(reading("minimum_living:read"))]


@router.get(
    "/settlements/{settlement_id}",
    summary="What civil affairs decided for a settled household's minimum living guarantee "
    "(三(七)), and what it still has open",
    responses=error_responses(NotFound),
)
def get_settlement(settlement_id: SettlementId, session: Reading) -> schemas.SettlementOut:
    return views.settlement_out(session, operations.load_assessment(session, settlement_id))
