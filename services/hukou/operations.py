"""Hukou's use cases, each run inside the caller's one unit of work: submit, reassess, and the
departments' reports on the fan-out (四(一)); approving is `approvals`, refusing and reviewing
a refusal (复核) `refusals`."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.hukou import schemas, work_queue
from services.hukou.domain import (
    ApplicationFacts,
    Decision,
    PermitHistory,
    Person,
    Residence,
    RuralRights,
    SocialInsurance,
    Student,
    Talent,
)
from services.hukou.models import (
    TABLES,
    DecisionVersion,
    FanoutStatus,
    HouseholdMember,
    OpenClaim,
    SettlementApplication,
)
from services.hukou.rules import RulesVersion, decide_eligibility
from services.hukou.views import load_application
from shared.audit import record_audit
from shared.db import utcnow
from shared.errors import Conflict, NotFound
from shared.identity import mask_id_number, parse_id_number
from shared.observability import metrics
from shared.parameters import Parameter
from shared.registry import DOWNSTREAM_SERVICES
from shared.settlement import SettlementProcessed

log = logging.getLogger(__name__)

# Statuses that hold a person: a second application for them is refused while one is here.
HOLDING_STATUSES = ("submitted", "eligible", "approved", "settled")


def _person(
    member: schemas.ApplicantIn | schemas.HouseholdMemberIn,
    *,
    relation: str,
    default_region: str,
    default_type: str,
) -> Person:
    identity = parse_id_number(member.id_number)
    return Person(
        id_number=identity.value,
        name=member.name,
        birth_date=identity.birth_date,
        sex=identity.sex,
        relation=relation,
        hukou_region_code=member.hukou_region_code or default_region,
        hukou_type=member.hukou_type or default_type,  # type: ignore[arg-type]
    )


def facts_from(
    request: schemas.SettlementApplicationIn,
    decision_date: date,
    permit_history: PermitHistory | None = None,
) -> ApplicationFacts:
    """Map a validated request onto the plain facts the rules read."""
    applicant = request.applicant
    return ApplicationFacts(
        permit_history=permit_history,
        channel=request.channel,
        destination_region_code=request.destination_region_code,
        decision_date=decision_date,
        applicant=_person(applicant, relation="applicant", default_region="", default_type=""),
        household=tuple(
            _person(
                m,
                relation=m.relation,
                default_region=applicant.hukou_region_code,
                default_type=applicant.hukou_type,
            )
            for m in request.household
        ),
        residence=Residence(**request.residence.model_dump()) if request.residence else None,
        social_insurance=(
            SocialInsurance(**request.social_insurance.model_dump())
            if request.social_insurance
            else None
        ),
        talent=Talent(**request.talent.model_dump()) if request.talent else None,
        student=Student(**request.student.model_dump()) if request.student else None,
        rural_rights=(
            RuralRights(**request.rural_rights.model_dump(exclude={"surrender_required"}))
            if request.rural_rights
            else None
        ),
    )


def eligibility_record(decision: Decision) -> dict[str, Any]:
    """The decision as it is stored and answered (`EligibilityOut`), every check with its reason."""
    answer = schemas.EligibilityOut.model_validate(decision, from_attributes=True)
    return answer.model_dump(mode="json")


def audit(
    session: Session, application_id: str, *, actor: str, action: str, detail: dict[str, Any]
) -> None:
    """What was done to an application and by whom, in the audit log of the same transaction."""
    record_audit(
        session,
        TABLES,
        actor=actor,
        action=action,
        entity_type="settlement_application",
        entity_id=application_id,
        detail=detail,
    )


_STATUS_OF_OUTCOME = {
    "eligible": "eligible",
    "ineligible": "ineligible",
    "undetermined": "submitted",
}


def submit_application(
    session: Session,
    request: schemas.SettlementApplicationIn,
    *,
    actor: str,
    versions: Sequence[RulesVersion],
    parameters: Sequence[Parameter],
    today: date,
    permit_history: PermitHistory | None = None,
) -> SettlementApplication:
    """Decide the application at once and store it with the decision (二, 五), placed in the
    work queue (二.8)."""
    received_on = request.received_on or today
    facts = facts_from(request, received_on, permit_history)
    decision = decide_eligibility(facts, versions=tuple(versions), parameters=tuple(parameters))
    status = _STATUS_OF_OUTCOME[decision.outcome]
    people = (facts.applicant, *facts.household)
    held = held_people(decision, people)
    if status in HOLDING_STATUSES:
        refuse_people_already_held(session, held)
    place = work_queue.queue_place(facts, parameters)

    application_id = str(uuid.uuid4())
    # The collections are given whole, so the answer needs no second trip to the database.
    application = SettlementApplication(
        id=application_id,
        status=status,
        channel=request.channel,
        destination_region_code=request.destination_region_code,
        received_on=received_on,
        received_on_reason=request.received_on_reason,
        stock_first=place.stock_first,
        queue_reason=place.reason,
        submitted_at=utcnow(),
        submitted_by=actor,
        decided_at=utcnow(),
        rules_version=decision.rules_version,
        eligibility=eligibility_record(decision),
        request=request.model_dump(mode="json"),
        members=[
            HouseholdMember(application_id=application_id, position=position, **asdict(person))
            for position, person in enumerate(people)
        ],
        fanout=[],
        decision_version=1,
    )
    session.add(application)
    session.add(_version_of(application, trigger="submitted", actor=actor, supplied=()))
    session.flush()  # the claims refer to the application, and no relationship says so
    if status in HOLDING_STATUSES:
        session.add_all(
            OpenClaim(id_number=person.id_number, application_id=application_id)
            for person in held.values()
        )
    audit(
        session,
        application.id,
        actor=actor,
        action="settlement.submitted",
        detail={
            "status": status,
            "channel": request.channel,
            "rules_version": decision.rules_version,
            "persons": len(people),
            "received_on": received_on.isoformat(),
            "received_on_reason": request.received_on_reason,
        },
    )
    session.flush()
    return application


def held_people(decision: Decision, people: Sequence[Person]) -> dict[int, Person]:
    """The people a holding application holds, by index (0 the applicant, n `household[n-1]`):
    all but those it leaves out (二.3), who may apply on their own at once."""
    left_out = {member.index for member in decision.members if member.settles is False}
    return {index: person for index, person in enumerate(people) if index not in left_out}


def refuse_people_already_held(session: Session, people: Mapping[int, Person]) -> None:
    """A Conflict naming each of `people` (by index, 0 the applicant) another open application
    holds, if any."""
    rows = session.execute(
        select(OpenClaim.id_number, SettlementApplication.id, SettlementApplication.status)
        .join(SettlementApplication, SettlementApplication.id == OpenClaim.application_id)
        .where(OpenClaim.id_number.in_([p.id_number for p in people.values()]))
    ).all()
    if not rows:
        return
    held = {row.id_number: row for row in rows}
    details = []
    for index, person in people.items():
        row = held.get(person.id_number)
        if row is not None:
            field = "applicant.id_number" if index == 0 else f"household[{index - 1}].id_number"
            details.append(
                {
                    "field": field,
                    "reason": f"{mask_id_number(person.id_number)} is already in application "
                    f"{row.id} ({row.status})",
                    "application_id": row.id,
                }
            )
    first = details[0]
    raise Conflict(
        f"a person in this application is already in open application {first['application_id']}",
        details=details,
    )


def release_people(session: Session, application_id: str) -> None:
    """The application no longer holds its people: they may apply again."""
    session.execute(delete(OpenClaim).where(OpenClaim.application_id == application_id))


def recorded(
    session: Session,
    application: SettlementApplication,
    *,
    actor: str,
    action: str,
    detail: dict[str, Any],
) -> SettlementApplication:
    """Audit what was done to the application; the application as it now stands, read afresh."""
    audit(session, application.id, actor=actor, action=action, detail=detail)
    session.flush()
    return load_application(session, application.id)


def reassess_application(
    session: Session,
    application_id: str,
    supplied: schemas.InformationIn,
    *,
    actor: str,
    versions: Sequence[RulesVersion],
    parameters: Sequence[Parameter],
    permit_history: PermitHistory | None = None,
) -> SettlementApplication:
    """Decide an undetermined application again, with the information now supplied."""
    application = load_application(session, application_id, for_update=True)
    if application.status != "submitted":
        raise Conflict(
            f"only an application awaiting information can be reassessed; this one is "
            f"{application.status}"
        )
    request = supplied.supplementing(application.request)
    facts = facts_from(request, application.received_on, permit_history)
    decision = decide_eligibility(facts, versions=tuple(versions), parameters=tuple(parameters))
    application.status = _STATUS_OF_OUTCOME[decision.outcome]
    application.decided_at = utcnow()
    application.rules_version = decision.rules_version
    application.eligibility = eligibility_record(decision)
    application.request = request.model_dump(mode="json")
    application.decision_version += 1
    sections = sorted(supplied.model_fields_set)
    session.add(_version_of(application, trigger="reassessed", actor=actor, supplied=sections))
    if application.status not in HOLDING_STATUSES:
        release_people(session, application.id)
    place = work_queue.queue_place(facts, parameters)
    application.stock_first, application.queue_reason = place.stock_first, place.reason
    return recorded(
        session,
        application,
        actor=actor,
        action="settlement.reassessed",
        detail={
            "status": application.status,
            "supplied": sections,
            "decision_version": application.decision_version,
        },
    )


def _version_of(
    application: SettlementApplication, *, trigger: str, actor: str, supplied: Sequence[str]
) -> DecisionVersion:
    """The application's current decision as a version of its own, never to be changed."""
    return DecisionVersion(
        application_id=application.id,
        version=application.decision_version,
        trigger=trigger,
        status=application.status,
        rules_version=application.rules_version,
        eligibility=application.eligibility,
        request=application.request,
        supplied=list(supplied),
        decided_at=application.decided_at or utcnow(),
        decided_by=actor,
    )


def record_department_outcome(session: Session, report: SettlementProcessed, event_id: str) -> None:
    """A department reported on a settlement (四(一)): its fan-out column takes the report's
    status and open items, unless it already holds a later decision of that department; the
    application is settled exactly while every department is done."""
    service = report.service
    if service not in DOWNSTREAM_SERVICES:
        raise ValueError(f"unexpected report from service {service!r}")
    column = session.get(FanoutStatus, (report.settlement_id, service), with_for_update=True)
    if column is None:
        raise NotFound(f"no approved settlement {report.settlement_id} awaiting {service}")
    status = report.current_status
    if not report.supersedes(column.version, column.status):
        log.info("stale report ignored", extra={"settlement_id": report.settlement_id})
        return
    column.status = status
    column.summary = report.summary
    column.open_items = [item.model_dump(mode="json") for item in report.open_items]
    column.version = report.version
    column.event_id = event_id
    column.updated_at = utcnow()
    session.flush()
    application = load_application(session, report.settlement_id, for_update=True)
    if status == "done" and application.approved_at is not None:
        metrics.approval_to_done.labels(service).observe(
            (column.updated_at - application.approved_at).total_seconds()
        )
    _settle_when_all_done(application)
    audit(
        session,
        report.settlement_id,
        actor=f"service:{service}",
        action="settlement.processed",
        detail={
            "service": service,
            "status": status,
            "version": report.version,
            "open_items": len(report.open_items),
            "event_id": event_id,
        },
    )


def _settle_when_all_done(application: SettlementApplication) -> None:
    """Settled while every department is done; approved again if one reopens."""
    every_done = bool(application.fanout) and all(c.status == "done" for c in application.fanout)
    if application.status == "approved" and every_done:
        application.status = "settled"
        application.settled_at = utcnow()
    elif application.status == "settled" and not every_done:
        application.status = "approved"
        application.settled_at = None
