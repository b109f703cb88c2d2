"""`GET /v1/audit/heads`: the audit chain heads the office holds, per service (四(四))."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.coordination import findings_api
from services.coordination.models import PublishedAuditHead
from shared.audit_routes import AUDIT_SCOPE
from shared.pagination import Page, Paging, fetch_page, page_of
from shared.registry import SERVICE_PORTS
from shared.routes import reading, v1_router

router = v1_router("audit")

Reading = Annotated[Session, Depends(reading(AUDIT_SCOPE, "coordination:read"))]

_SERVICES = tuple(SERVICE_PORTS)
ServiceName = Literal[_SERVICES]  # type: ignore[valid-type]


class HeadFilter(BaseModel):
    service: ServiceName | None = Field(None, description="the service whose heads")
    incident: bool | None = Field(None, description="only the heads that went backwards (or not)")


class PublishedHeadOut(BaseModel):
    """A head as its service published it: the entry (`sequence`, `hash`, `at` its time), when
    it was published and received, and why it is an incident when it went backwards."""

    service: str
    sequence: int
    hash: str
    at: datetime
    published_at: datetime
    received_at: datetime
    event_id: str
    incident: str | None


@router.get(
    "/audit/heads",
    summary="The audit chain heads every service published to the office, by service and "
    "sequence (四(四))",
)
def list_heads(
    session: Reading, paging: Paging, filters: Annotated[HeadFilter, Query()]
) -> Page[PublishedHeadOut]:
    held = PublishedAuditHead
    query = select(held)
    if filters.service is not None:
        query = query.where(held.service == filters.service)
    if filters.incident is not None:
        query = query.where(
            held.incident.is_not(None) if filters.incident else held.incident.is_(None)
        )
    query = query.order_by(held.service, held.sequence, held.published_at, held.event_id)
    found, total = fetch_page(session, query, paging)
    items = [PublishedHeadOut.model_validate(row, from_attributes=True) for row in found]
    return page_of(items, total, paging)


ROUTERS = [router, findings_api.router]
"""The office's audit routes: the heads and the findings (四(四))."""
