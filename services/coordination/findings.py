"""Audit findings followed to closure (四(四) 强化审计监督, 市审计局牵头).

The audit department records a finding against a county or a department, with the clause it
concerns and the day rectification (整改) is due. The department named answers it with the
steps it took (a county's finding is answered by the coordination office, which may answer any);
audit closes it, or reopens a closed one. Each write is in the office's own audit log. A finding
is about an institution: its texts are refused when they hold an identity number.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from services.coordination import findings_schemas as schemas
from services.coordination.models import TABLES, AuditFinding, FindingStep
from shared import clock
from shared.audit import record_audit
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, Forbidden, InvalidInput
from shared.loading import Loader
from shared.pagination import PageRequest, fetch_page
from shared.registry import SERVICES_BY_NAME

OFFICE = "coordination"
"""Answers a county's findings, and may answer any (四(一) 协调机制)."""

load_finding = Loader(
    AuditFinding,
    AuditFinding.id,
    "no audit finding {}",
    options=(selectinload(AuditFinding.steps),),
)


def responsible(department: str) -> tuple[str, str | None]:
    """The department a finding naming `department` (a department, or one of its services)
    is answered by, and the service when one was named."""
    entry = SERVICES_BY_NAME.get(department)
    return (entry.department, entry.name) if entry is not None else (department, None)


def open_finding(session: Session, body: schemas.FindingIn, actor: str) -> AuditFinding:
    refusals = body.subject_refusals()
    if refusals:
        raise InvalidInput("a finding concerns one county or one department", details=refusals)
    department, service = responsible(body.department) if body.department else (OFFICE, None)
    finding = AuditFinding(
        id=str(uuid.uuid4()),
        region_code=body.region_code,
        department=department,
        service=service,
        title=body.title,
        clause=body.clause,
        description=body.description,
        due_on=body.due_on,
        state="open",
        opened_at=utcnow(),
        opened_by=actor,
        closed_at=None,
        steps=[],
    )
    session.add(finding)
    _audit(
        session,
        finding,
        "finding.opened",
        actor,
        region_code=finding.region_code,
        department=department,
        service=service,
        clause=finding.clause,
        title=finding.title,
    )
    return finding


def respond(
    session: Session, finding_id: str, body: schemas.ResponseIn, principal: Principal
) -> AuditFinding:
    """The department named (or the office) records a rectification step."""
    finding = load_finding(session, finding_id, for_update=True)
    if principal.dept not in (finding.department, OFFICE):
        raise Forbidden(
            f"department {principal.dept} may not answer this finding: it is {finding.department}'s"
            + ("" if finding.department == OFFICE else " (or the coordination office's)")
        )
    if finding.state == "closed":
        raise Conflict("the finding is closed: audit reopens it before a step is recorded")
    _step(finding, "response", principal, body.text)
    finding.state = "rectifying"
    _audit(session, finding, "finding.answered", principal.actor, by=principal.dept)
    return finding


def close(
    session: Session, finding_id: str, body: schemas.CloseIn, principal: Principal
) -> AuditFinding:
    """Audit closes the finding, or reopens a closed one (due again on `due_on`, if given)."""
    finding = load_finding(session, finding_id, for_update=True)
    reopening = body.outcome == "reopened"
    if reopening != (finding.state == "closed"):
        raise Conflict(
            "only a closed finding is reopened" if reopening else "the finding is closed already",
            details=[{"field": "outcome", "reason": f"the finding is {finding.state}"}],
        )
    if not reopening and body.due_on is not None:
        raise InvalidInput(
            "a finding closed is due no more",
            details=[{"field": "due_on", "reason": "given only when reopening"}],
        )
    _step(finding, body.outcome, principal, body.note, due_on=body.due_on)
    if reopening:
        finding.state = "open"
        finding.closed_at = None
        finding.due_on = body.due_on or finding.due_on
    else:
        finding.state = "closed"
        finding.closed_at = utcnow()
    _audit(
        session,
        finding,
        f"finding.{body.outcome}",
        principal.actor,
        due_on=finding.due_on.isoformat(),
    )
    return finding


def list_findings(
    session: Session, filters: schemas.FindingFilter, paging: PageRequest
) -> tuple[list[AuditFinding], int]:
    """One page of the findings the filters match, the earliest due first."""
    return fetch_page(session, _search(filters, clock.today()), paging)


def finding_out(finding: AuditFinding) -> schemas.FindingOut:
    return schemas.FindingOut.model_validate(finding, from_attributes=True)


def _search(filters: schemas.FindingFilter, today: date) -> Select[Any]:
    query = select(AuditFinding).options(selectinload(AuditFinding.steps))
    if filters.state is not None:
        query = query.where(AuditFinding.state == filters.state)
    if filters.region_code is not None:
        query = query.where(AuditFinding.region_code == filters.region_code)
    if filters.department is not None:
        query = query.where(AuditFinding.department == responsible(filters.department)[0])
    if filters.overdue is not None:
        late = (AuditFinding.state != "closed") & (AuditFinding.due_on < today)
        query = query.where(late if filters.overdue else ~late)
    return query.order_by(AuditFinding.due_on, AuditFinding.opened_at, AuditFinding.id)


def _step(
    finding: AuditFinding,
    kind: str,
    principal: Principal,
    text: str,
    *,
    due_on: date | None = None,
) -> None:
    finding.steps.append(
        FindingStep(
            id=str(uuid.uuid4()),
            finding_id=finding.id,
            kind=kind,
            at=utcnow(),
            department=principal.dept,
            actor=principal.actor,
            text=text,
            due_on=due_on,
        )
    )


def _audit(session: Session, finding: AuditFinding, action: str, actor: str, **detail: Any) -> None:
    record_audit(
        session,
        TABLES,
        actor=actor,
        action=action,
        entity_type="audit_finding",
        entity_id=finding.id,
        detail={"state": finding.state, **detail},
    )
