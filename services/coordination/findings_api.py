"""The audit findings' routes (四(四) 审计监督): audit opens and closes them (`finding:write`),
the department named answers them (`finding:respond`), and audit, the office and every
department read them (`finding:read`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from services.coordination import findings
from services.coordination import findings_schemas as schemas
from services.coordination.models import AuditFinding
from shared.errors import Conflict, Forbidden, NotFound, error_responses
from shared.pagination import Paging, page_of
from shared.routes import Write, reading, v1_router, writing

router = v1_router("audit findings")
FINDINGS = "/audit-findings"

Reading = Annotated[Session, Depends(reading("finding:read"))]
Auditing = Annotated[Write, Depends(writing("finding:write"))]
Answering = Annotated[Write, Depends(writing("finding:respond"))]


def _answer(change: Callable[[Session], AuditFinding]) -> Callable[[Session], BaseModel]:
    """What a write answers: the finding as the change left it."""

    def answer(session: Session) -> BaseModel:
        changed = change(session)
        session.flush()
        return findings.finding_out(changed)

    return answer


@router.post(
    FINDINGS,
    status_code=201,
    response_model=schemas.FindingOut,
    summary="Audit records a finding against a county or a department, due for rectification "
    "(整改) on a day",
)
def open_finding(body: schemas.FindingIn, write: Auditing) -> JSONResponse:
    return write(body, _answer(lambda s: findings.open_finding(s, body, write.actor)))


@router.post(
    FINDINGS + "/{finding_id}/responses",
    status_code=201,
    response_model=schemas.FindingOut,
    summary="The department named (or the coordination office) records a rectification step",
    responses=error_responses(NotFound, Conflict, Forbidden),
)
def respond(finding_id: str, body: schemas.ResponseIn, write: Answering) -> JSONResponse:
    return write(body, _answer(lambda s: findings.respond(s, finding_id, body, write.principal)))


@router.post(
    FINDINGS + "/{finding_id}/close",
    response_model=schemas.FindingOut,
    summary="Audit closes the finding, or reopens a closed one",
    responses=error_responses(NotFound, Conflict),
)
def close(finding_id: str, body: schemas.CloseIn, write: Auditing) -> JSONResponse:
    return write(body, _answer(lambda s: findings.close(s, finding_id, body, write.principal)))


@router.get(
    FINDINGS,
    summary="The findings by state, county and department, the earliest due first, with the "
    "days overdue on Shaoguan's calendar",
)
def list_findings(
    session: Reading, paging: Paging, filters: Annotated[schemas.FindingFilter, Query()]
) -> schemas.FindingPage:
    found, total = findings.list_findings(session, filters, paging)
    return page_of([findings.finding_out(f) for f in found], total, paging)


@router.get(FINDINGS + "/{finding_id}", responses=error_responses(NotFound))
def get_finding(finding_id: str, session: Reading) -> schemas.FindingOut:
    return findings.finding_out(findings.load_finding(session, finding_id))
