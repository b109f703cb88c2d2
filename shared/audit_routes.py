"""`GET /v1/audit` and `GET /v1/audit/head` on every service: its audit log for the audit
department (四(四) "纳入审计监督范围", scope `audit:read`), each entry with its place in the
hash chain, so the department can recompute the chain itself (`shared.audit`)."""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations at run time.

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.audit import chain_head
from shared.db import PlatformTables
from shared.errors import InvalidInput
from shared.identity import mask_identity_numbers_within
from shared.pagination import Page, Paging, page_of
from shared.routes import reading, v1_router

AUDIT_SCOPE = "audit:read"


class AuditFilter(BaseModel):
    """The log's query: every filter given must hold. Times need their zone (+08:00, Z)."""

    entity_id: str | None = Field(None, min_length=1, max_length=100)
    entity_type: str | None = Field(None, min_length=1, max_length=100)
    since: AwareDatetime | None = Field(None, description="entries at or after this instant")
    until: AwareDatetime | None = Field(None, description="entries before this instant")


class AuditEntryOut(BaseModel):
    """One entry as appended; `hash` is the SHA-256 of its canonical JSON (every field here
    but `hash`, docs/operations.md "Audit log"), and `previous_hash` the entry before's."""

    sequence: int
    at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    detail: dict[str, Any]
    note: str | None
    previous_hash: str
    hash: str


class AuditHeadOut(BaseModel):
    """The chain's last entry: its sequence (0 before any entry) and hash."""

    sequence: int
    hash: str
    at: datetime | None


def audit_router(tables: PlatformTables) -> APIRouter:
    """The audit routes of the service whose tables are `tables`."""
    router = v1_router("audit")
    log = tables.audit_log
    Reading = Annotated[Session, Depends(reading(AUDIT_SCOPE))]

    @router.get("/audit", summary="The audit log, oldest first, filtered and paged (四(四))")
    def list_audit(
        session: Reading, paging: Paging, filters: Annotated[AuditFilter, Query()]
    ) -> Page[AuditEntryOut]:
        if filters.since and filters.until and filters.until <= filters.since:
            raise InvalidInput(
                "the period is empty",
                details=[{"field": "until", "reason": "must be after since"}],
            )
        criteria = [
            *([log.c.entity_id == filters.entity_id] if filters.entity_id else []),
            *([log.c.entity_type == filters.entity_type] if filters.entity_type else []),
            *([log.c.at >= filters.since] if filters.since else []),
            *([log.c.at < filters.until] if filters.until else []),
        ]
        total = session.execute(select(func.count()).select_from(log).where(*criteria))
        rows = session.execute(
            select(log)
            .where(*criteria)
            .order_by(log.c.sequence)
            .offset(paging.offset)
            .limit(paging.page_size)
        ).mappings()
        items = [
            AuditEntryOut.model_validate(mask_identity_numbers_within(dict(row))) for row in rows
        ]
        return page_of(items, int(total.scalar_one()), paging)

    @router.get("/audit/head", summary="The audit chain's head: its last sequence and hash")
    def audit_head(session: Reading) -> AuditHeadOut:
        head = chain_head(session, tables)
        return AuditHeadOut(sequence=head.sequence, hash=head.hash, at=head.at)

    return router
