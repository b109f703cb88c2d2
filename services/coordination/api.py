"""The coordination office's routes: read the family's progress (四(一), 四(三))."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from sqlalchemy.orm import Session

from services.coordination import schemas, views
from shared.errors import InvalidInput, NotFound, error_responses
from shared.pagination import Paging, page_of
from shared.routes import SettlementId, reading, v1_router

router = v1_router("progress")

Reading = Annotated[Session, Depends(reading("coordination:read"))]


@router.get(
    "/settlements/{settlement_id}",
    summary="A family's progress across every bureau: each one's status and open items, who "
    "must act next, and every event (四(三))",
    responses=error_responses(NotFound),
)
def get_progress(settlement_id: SettlementId, session: Reading) -> schemas.ProgressOut:
    return views.progress_out(session, settlement_id)


@router.get(
    "/settlements",
    summary="The settlements followed, by county, department, status and age, the oldest "
    "approval first",
)
def list_progress(
    session: Reading,
    paging: Paging,
    filters: Annotated[schemas.ProgressFilter, Query()],
) -> schemas.ProgressPage:
    contradictions = filters.contradictions()
    if contradictions:
        raise InvalidInput("these filters could match no settlement", details=contradictions)
    found, total = views.list_progress(session, filters, paging)
    return page_of(found, total, paging)
