"""Residence permit use cases, each run inside the caller's unit of work: issue, endorse, read."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from services.residence_permit import rules, schemas
from services.residence_permit.models import (
    TABLES,
    Endorsement,
    OpenPermit,
    ResidencePermit,
)
from services.residence_permit.permit_events import publish_change
from services.residence_permit.refusals import refuse
from services.residence_permit.registrations import registered_residence
from services.residence_permit.settled import refuse_a_settled_person, settlements_of
from shared.audit import record_audit
from shared.db import utcnow
from shared.errors import Conflict, InvalidInput
from shared.identity import mask_id_number, parse_id_number
from shared.loading import Loader
from shared.pagination import PageRequest, fetch_page
from shared.parameters import ParameterSet
from shared.rules import Check


def _check_detail(check: Check) -> dict[str, Any]:
    """What a refusal's details and the stored decision say of one check."""
    return {
        "field": check.field,
        "reason": check.reason,
        "clause": check.clause,
        "regulation": check.regulation,
    }


def application_facts(
    request: schemas.PermitApplicationIn,
    applied_on: date,
    registered: rules.RegisteredResidence | None,
) -> rules.Application:
    """The plain facts the rules read; birth dates come from the identity numbers, the
    residence from the person's registrations."""
    guardian = request.guardian
    return rules.Application(
        id_number=request.id_number,
        birth_date=parse_id_number(request.id_number).birth_date,
        hukou_region_code=request.hukou_region_code,
        region_code=request.region_code,
        registered=registered,
        declared_since=request.resident_since,
        basis=request.basis,
        applied_on=applied_on,
        guardian=rules.Guardian(
            id_number=guardian.id_number,
            birth_date=parse_id_number(guardian.id_number).birth_date,
            relation=guardian.relation,
        )
        if guardian
        else None,
    )


def decision_record(decision: rules.ApplicationDecision, decided_on: date) -> dict[str, Any]:
    return {
        "decided_on": decided_on.isoformat(),
        "clause": rules.CLAUSE,
        # The record keeps `passed` as a boolean, as the API has always shown it.
        "checks": [
            {"rule": c.rule, "passed": c.passed, **_check_detail(c)} for c in decision.checks
        ],
        "parameters": [p.reference() for p in decision.parameters],
    }


_STORED_AS_GIVEN = {
    "id_number",
    "name",
    "region_code",
    "address",
    "hukou_region_code",
    "basis",
    "evidence",
    "guardian",
}
"""The application's fields a permit records as the applicant gave them."""


def issue_permit(
    session: Session,
    request: schemas.PermitApplicationIn,
    *,
    actor: str,
    today: date,
    parameters: ParameterSet,
) -> ResidencePermit:
    """Decide the application (第二条, 第九条, 第十条) on the person's registered residence and
    issue the permit for its first year. A settled person is refused first: their
    registration ended when they settled."""
    refuse_a_settled_person(session, request.id_number, "a residence permit is issued")
    applied_on = request.applied_on or today
    registered = registered_residence(session, request.id_number, applied_on)
    facts = application_facts(request, applied_on, registered)
    decision = rules.decide_application(facts, parameters)
    if (
        not decision.accepted
        or registered is None
        or decision.valid_from is None
        or decision.valid_to is None
    ):
        refusals = decision.refusals
        raise InvalidInput(
            f"a residence permit cannot be issued: {refusals[0].reason}",
            details=[_check_detail(check) for check in refusals],
        )
    permit_id = str(uuid.uuid4())
    _supersede_or_refuse_open_permit(
        session, request.id_number, applied_on=applied_on, successor=permit_id, actor=actor
    )
    permit = ResidencePermit(
        **request.model_dump(include=_STORED_AS_GIVEN),  # accepted: `basis` is one of three
        id=permit_id,
        resident_since=registered.since,
        registration_id=registered.registration_id,
        birth_date=parse_id_number(request.id_number).birth_date,
        applied_on=applied_on,
        issued_on=decision.valid_from,
        valid_from=decision.valid_from,
        valid_to=decision.valid_to,
        period_start=decision.valid_from,
        years_in_period=1,
        decision=decision_record(decision, applied_on),
        created_at=utcnow(),
        created_by=actor,
    )
    session.add(permit)
    session.flush()
    session.add(OpenPermit(id_number=request.id_number, permit_id=permit_id))
    publish_change(session, permit, "issued")
    record_audit(
        session,
        TABLES,
        actor=actor,
        action="permit.issued",
        entity_type="residence_permit",
        entity_id=permit_id,
        detail={
            "person": mask_id_number(request.id_number),
            "region_code": request.region_code,
            "basis": request.basis,
            "valid_to": decision.valid_to.isoformat(),
        },
    )
    session.flush()
    return load_permit(session, permit_id)


def _supersede_or_refuse_open_permit(
    session: Session, id_number: str, *, applied_on: date, successor: str, actor: str
) -> None:
    """One valid permit per person: a valid one is a 409; a lapsed one is superseded."""
    held = session.get(OpenPermit, id_number, with_for_update=True)
    if held is None:
        return
    current = load_permit(session, held.permit_id, for_update=True)
    if rules.conflicts_with_open_permit(open_valid_to=current.valid_to, applied_on=applied_on):
        reason = (
            f"{mask_id_number(id_number)} already holds residence permit {current.id}, valid to "
            f"{current.valid_to.isoformat()}: one valid permit per person; endorse it yearly "
            "instead (居住证暂行条例 第十条)"
        )
        raise Conflict(
            f"this person already holds valid residence permit {current.id}",
            details=[{"field": "id_number", "reason": reason, "permit_id": current.id}],
        )
    current.closed_on = applied_on
    current.closed_at = utcnow()
    current.closed_reason = "superseded"
    current.superseded_by = successor
    session.delete(held)
    publish_change(session, current, "closed")
    record_audit(
        session,
        TABLES,
        actor=actor,
        action="permit.superseded",
        entity_type="residence_permit",
        entity_id=current.id,
        detail={"superseded_by": successor, "lapsed_after": current.valid_to.isoformat()},
    )
    session.flush()


load_permit = Loader(
    ResidencePermit,
    ResidencePermit.id,
    "no residence permit {}",
    options=(selectinload(ResidencePermit.endorsements),),
)
"""The permit with its endorsements, read afresh; a 404 when there is none."""


def term_of(permit: ResidencePermit) -> rules.Term:
    return rules.Term(
        issued_on=permit.issued_on,
        valid_from=permit.valid_from,
        valid_to=permit.valid_to,
        period_start=permit.period_start,
        years_in_period=permit.years_in_period,
        closed=permit.closed_on is not None,
    )


def endorse_permit(
    session: Session,
    permit_id: str,
    request: schemas.EndorsementIn,
    *,
    actor: str,
    today: date,
    parameters: ParameterSet,
) -> tuple[ResidencePermit, Endorsement]:
    """The yearly endorsement (第十条): on time it extends the year; late it restores use."""
    permit = load_permit(session, permit_id, for_update=True)
    endorsed_on = request.endorsed_on or today
    decision = rules.decide_endorsement(
        term_of(permit),
        endorsed_on=endorsed_on,
        still_resident=request.still_resident,
        parameters=parameters,
    )
    term = decision.term
    if decision.outcome == "refused" or term is None:
        refuse(decision, f"the endorsement of residence permit {permit.id}", permit_id=permit.id)
    endorsement = Endorsement(
        id=str(uuid.uuid4()),
        permit_id=permit.id,
        endorsed_on=endorsed_on,
        kind=decision.outcome,
        previous_valid_to=permit.valid_to,
        valid_from=term.valid_from,
        valid_to=term.valid_to,
        reason=decision.reason,
        recorded_at=utcnow(),
        recorded_by=actor,
    )
    session.add(endorsement)
    permit.valid_from, permit.valid_to = term.valid_from, term.valid_to
    permit.period_start, permit.years_in_period = term.period_start, term.years_in_period
    publish_change(session, permit, "endorsed")
    record_audit(
        session,
        TABLES,
        actor=actor,
        action="permit.endorsed",
        entity_type="residence_permit",
        entity_id=permit.id,
        detail={
            "kind": decision.outcome,
            "endorsed_on": endorsed_on.isoformat(),
            "valid_to": term.valid_to.isoformat(),
            "parameters": [p.reference() for p in decision.parameters],
        },
    )
    session.flush()
    return load_permit(session, permit.id), endorsement


_NEWEST_FIRST = (ResidencePermit.issued_on.desc(), ResidencePermit.created_at.desc())


@dataclass(frozen=True)
class PermitFilter:
    id_number: str | None = None
    region_code: str | None = None
    status: rules.PermitStatus | None = None


def _with_status(query: Select[Any], status: rules.PermitStatus, today: date) -> Select[Any]:
    if status == "closed":
        return query.where(ResidencePermit.closed_on.is_not(None))
    query = query.where(ResidencePermit.closed_on.is_(None))
    if status == "valid":
        return query.where(ResidencePermit.valid_to >= today)
    return query.where(ResidencePermit.valid_to < today)


def list_permits(
    session: Session, filters: PermitFilter, *, today: date, page: PageRequest
) -> tuple[list[ResidencePermit], int]:
    """One page of the permits that meet `filters`, newest first, and how many meet them."""
    query = select(ResidencePermit)
    if filters.id_number:
        query = query.where(ResidencePermit.id_number == filters.id_number)
    if filters.region_code:
        query = query.where(ResidencePermit.region_code == filters.region_code)
    if filters.status:
        query = _with_status(query, filters.status, today)
    ordered = query.options(selectinload(ResidencePermit.endorsements)).order_by(
        # The id last, so that a page boundary never falls between two equal rows.
        *_NEWEST_FIRST,
        ResidencePermit.id,
    )
    return fetch_page(session, ordered, page)


def permits_of(session: Session, id_number: str) -> list[ResidencePermit]:
    """Every permit of a person, newest first, with its endorsements."""
    return list(
        session.execute(
            select(ResidencePermit)
            .where(ResidencePermit.id_number == id_number)
            .options(selectinload(ResidencePermit.endorsements))
            .order_by(*_NEWEST_FIRST)
        ).scalars()
    )


def standing(permit: ResidencePermit, today: date) -> rules.Standing:
    return rules.Standing(
        permit_id=permit.id,
        status=status_of(permit, today),
        valid_to=permit.valid_to,
        closed_on=permit.closed_on,
        closed_reason=permit.closed_reason,
        settlement_id=permit.closed_by_settlement_id,
    )


def check_entitlement(
    session: Session, id_number: str, entitlement: rules.Entitlement, *, today: date
) -> rules.Answer:
    """May this person have `entitlement` as a permit holder today (三(九))?"""
    permits = permits_of(session, id_number)
    valid = [p for p in permits if status_of(p, today) == "valid"]
    best = valid[0] if valid else permits[0] if permits else None
    settled = settlements_of(session, id_number)
    return rules.answer(
        entitlement,
        standing(best, today) if best else None,
        settled[0] if settled else None,
    )


def status_of(permit: ResidencePermit, today: date) -> rules.PermitStatus:
    return rules.permit_status(
        valid_to=permit.valid_to, closed=permit.closed_on is not None, on=today
    )
