"""Refusing an application on a ground of the closed list, and the review (复核) a refused
family may ask for, decided by another officer than the one who refused; each run inside the
caller's one unit of work, each step in the audit log."""

from __future__ import annotations

import uuid
from dataclasses import fields
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.hukou import grounds
from services.hukou.decision_schemas import RejectionIn, ReviewDecisionIn, ReviewIn
from services.hukou.domain import Person
from services.hukou.models import (
    ApplicationReview,
    DecisionVersion,
    OpenClaim,
    SettlementApplication,
)
from services.hukou.operations import (
    HOLDING_STATUSES,
    recorded,
    refuse_people_already_held,
    release_people,
)
from services.hukou.views import load_application, settling_members
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import Conflict, Forbidden, NotFound

REVIEWABLE = ("ineligible", "rejected")
PERSON_FIELDS = tuple(field.name for field in fields(Person))


def reject_application(
    session: Session, application_id: str, rejection: RejectionIn, *, actor: str
) -> SettlementApplication:
    """Refuse the application on a ground of the list (never a target, 二.7, nor rural
    rights, 三(四)): the ground must fit the application's status."""
    application = load_application(session, application_id, for_update=True)
    if application.status not in grounds.OPEN:
        raise Conflict(f"an application that is {application.status} cannot be rejected")
    unfit = grounds.ground_cannot_close(rejection.ground, application.status)
    if unfit:
        raise Conflict(unfit, details=[{"field": "ground", "reason": unfit}])
    ground = grounds.GROUNDS[rejection.ground]
    application.rejected_from = application.status
    application.status = "rejected"
    application.rejected_at = utcnow()
    application.rejected_by = actor
    application.rejection_ground = rejection.ground
    application.rejection_reason = rejection.reason
    release_people(session, application.id)
    return recorded(
        session,
        application,
        actor=actor,
        action="settlement.rejected",
        detail={
            "ground": rejection.ground,
            "label": ground.label,
            "basis": ground.basis,
            "reason": rejection.reason,
            "rejected_from": application.rejected_from,
        },
    )


def request_review(
    session: Session, application_id: str, request: ReviewIn, *, actor: str
) -> ApplicationReview:
    """Open the review (复核) of the application's refusal, with the family's grounds: one
    review at a time, and one for each refusal."""
    application = load_application(session, application_id, for_update=True)
    if application.status not in REVIEWABLE:
        raise Conflict(
            f"only a refusal is reviewed (an application that is ineligible or rejected); "
            f"this one is {application.status}"
        )
    rejected = application.status == "rejected"
    decided_at, decided_by = _refusal(session, application)
    earlier = _reviews(session, application_id)
    if any(r.outcome is None for r in earlier):
        raise Conflict("a review of this application is open already: it is decided first")
    if any(
        r.reviewed_status == application.status and r.reviewed_decided_at == decided_at
        for r in earlier
    ):
        raise Conflict(f"this refusal ({application.status}) has been reviewed already")
    review = ApplicationReview(
        id=str(uuid.uuid4()),
        application_id=application_id,
        reviewed_status=application.status,
        reviewed_decision_version=application.decision_version,
        reviewed_ground=application.rejection_ground if rejected else None,
        reviewed_reason=application.rejection_reason if rejected else None,
        reviewed_decided_at=decided_at,
        reviewed_decided_by=decided_by,
        grounds=request.grounds,
        requested_at=utcnow(),
        requested_by=actor,
    )
    session.add(review)
    recorded(
        session,
        application,
        actor=actor,
        action="settlement.review_requested",
        detail={
            "review_id": review.id,
            "reviewed_status": review.reviewed_status,
            "reviewed_decided_by": decided_by,
            "grounds": request.grounds,
        },
    )
    return review


def decide_review(
    session: Session, application_id: str, decision: ReviewDecisionIn, *, by: Principal
) -> ApplicationReview:
    """Decide the open review: a named officer, not the one who refused (two-person rule).
    Overturned, a rejection gives back the status it closed, and the rules' refusal is decided
    again (the application awaits reassessment); upheld, the refusal stands."""
    application = load_application(session, application_id, for_update=True)
    review = next((r for r in _reviews(session, application_id) if r.outcome is None), None)
    if review is None:
        raise NotFound(f"no open review of settlement application {application_id}")
    if by.officer is None:
        raise Forbidden(
            "a review is decided by a named officer: use a token naming one "
            "(luohu token --dept public_security --officer ...)"
        )
    if by.actor == review.reviewed_decided_by:
        raise Forbidden(
            f"officer {by.officer} made the refusal under review: another officer decides the "
            "review (two-person rule)"
        )
    if decision.outcome == "overturned":
        _overturn(session, application)
    review.outcome = decision.outcome
    review.decision_reason = decision.reason
    review.decided_at = utcnow()
    review.decided_by = by.actor
    recorded(
        session,
        application,
        actor=by.actor,
        action="settlement.review_decided",
        detail={
            "review_id": review.id,
            "outcome": decision.outcome,
            "reason": decision.reason,
            "status": application.status,
        },
    )
    return review


def _overturn(session: Session, application: SettlementApplication) -> None:
    """The refusal is undone: the application holds its people again (409 if another open
    application took one of them meanwhile)."""
    rejected = application.status == "rejected"
    status = (application.rejected_from if rejected else None) or "submitted"
    if status in HOLDING_STATUSES:
        # A rejection undone holds whom the decision held (not those it left out, 二.3); a
        # rules refusal undone holds the whole family until it is decided again.
        members = settling_members(application) if rejected else application.members
        people = {
            member.position: Person(**{name: getattr(member, name) for name in PERSON_FIELDS})
            for member in members
        }
        refuse_people_already_held(session, people)
        session.add_all(
            OpenClaim(id_number=p.id_number, application_id=application.id) for p in people.values()
        )
    application.status = status
    application.rejected_at = application.rejected_by = application.rejected_from = None
    application.rejection_ground = application.rejection_reason = None


def _refusal(session: Session, application: SettlementApplication) -> tuple[datetime, str]:
    """When the refusal under review was made, and by whom: the rejection, or the rules'
    decision of the current version (recorded as made by the officer who submitted it)."""
    if application.status == "rejected" and application.rejected_by is not None:
        return application.rejected_at or application.submitted_at, application.rejected_by
    version = session.get(DecisionVersion, (application.id, application.decision_version))
    decided_by = version.decided_by if version is not None else application.submitted_by
    return application.decided_at or application.submitted_at, decided_by


def _reviews(session: Session, application_id: str) -> list[ApplicationReview]:
    return list(
        session.execute(
            select(ApplicationReview)
            .where(ApplicationReview.application_id == application_id)
            .order_by(ApplicationReview.requested_at, ApplicationReview.id)
        ).scalars()
    )


def reviews_of(session: Session, application_id: str) -> list[ApplicationReview]:
    """Every review of the application, the first first."""
    load_application(session, application_id)
    return _reviews(session, application_id)
