"""Permits as the API shows them: the resource, its entitlements, a person's residence history."""

from __future__ import annotations

from datetime import date
from typing import Literal

from sqlalchemy.orm import Session

from services.residence_permit import rules, schemas
from services.residence_permit.models import Endorsement, ResidencePermit
from services.residence_permit.operations import (
    parameter_out,
    permits_of,
    settlements_of,
    standing,
    status_of,
)
from shared import regions


def endorsement_out(endorsement: Endorsement) -> schemas.EndorsementOut:
    return schemas.EndorsementOut(
        id=endorsement.id,
        endorsed_on=endorsement.endorsed_on,
        kind="make_up" if endorsement.kind == "make_up" else "on_time",
        previous_valid_to=endorsement.previous_valid_to,
        valid_from=endorsement.valid_from,
        valid_to=endorsement.valid_to,
        reason=endorsement.reason,
        recorded_at=endorsement.recorded_at,
    )


def permit_out(permit: ResidencePermit, today: date) -> schemas.PermitOut:
    decision = permit.decision
    return schemas.PermitOut(
        id=permit.id,
        status=status_of(permit, today),
        as_of=today,
        id_number=permit.id_number,
        name=permit.name,
        birth_date=permit.birth_date,
        region_code=permit.region_code,
        region_name=regions.describe(permit.region_code),
        address=permit.address,
        hukou_region_code=permit.hukou_region_code,
        resident_since=permit.resident_since,
        basis=permit.basis,
        evidence=permit.evidence,
        guardian=schemas.GuardianOut.model_validate(permit.guardian) if permit.guardian else None,
        applied_on=permit.applied_on,
        issued_on=permit.issued_on,
        valid_from=permit.valid_from,
        valid_to=permit.valid_to,
        residence_counted_from=permit.period_start,
        endorsements=[endorsement_out(e) for e in permit.endorsements],
        closed_on=permit.closed_on,
        closed_at=permit.closed_at,
        closed_reason=_closed_reason(permit.closed_reason),
        closed_by_settlement_id=permit.closed_by_settlement_id,
        superseded_by=permit.superseded_by,
        decision=schemas.DecisionOut(
            decided_on=date.fromisoformat(decision["decided_on"]),
            clause=decision["clause"],
            checks=[schemas.CheckOut.model_validate(c) for c in decision["checks"]],
            parameters=[parameter_out(p) for p in decision["parameters"]],
        ),
    )


def _closed_reason(reason: str | None) -> Literal["settled", "superseded"] | None:
    if reason is None:
        return None
    return "settled" if reason == "settled" else "superseded"


def entitlement_out(entitlement: rules.Entitlement) -> schemas.EntitlementOut:
    return schemas.EntitlementOut(
        id=entitlement.id,
        name=entitlement.name,
        name_zh=entitlement.name_zh,
        kind=entitlement.kind,
        clause=entitlement.clause,
        regulation=entitlement.regulation,
    )


def entitlements_out(permit: ResidencePermit, today: date) -> schemas.PermitEntitlementsOut:
    held = standing(permit, today)
    return schemas.PermitEntitlementsOut(
        permit_id=permit.id,
        status=held.status,
        as_of=today,
        reason=rules.standing_in_words(held),
        entitlements=[
            schemas.PermitEntitlementOut(
                **entitlement_out(e).model_dump(), available=held.status == "valid"
            )
            for e in rules.ENTITLEMENTS
        ],
    )


def answer_out(answer: rules.Answer, today: date) -> schemas.EntitlementCheckOut:
    return schemas.EntitlementCheckOut(
        allowed=answer.allowed,
        reason=answer.reason,
        clause=answer.clause,
        regulation=answer.entitlement.regulation,
        service=answer.entitlement.id,
        permit_id=answer.permit_id,
        permit_status=answer.permit_status,
        as_of=today,
    )


def residence_history(
    session: Session, id_number: str, *, today: date
) -> schemas.ResidenceHistoryOut:
    """The evidence hukou reads: each permit's declared start of residence, county, and the
    unbroken periods it was in force (第十条)."""
    permits = permits_of(session, id_number)
    listed = []
    for permit in sorted(permits, key=lambda p: (p.issued_on, p.created_at)):
        periods = rules.residence_periods(
            issued_on=permit.issued_on,
            endorsements=tuple(
                rules.Endorsed(
                    e.endorsed_on,
                    "make_up" if e.kind == "make_up" else "on_time",
                    e.previous_valid_to,
                )
                for e in permit.endorsements
            ),
            valid_to=permit.valid_to,
            closed_on=permit.closed_on,
        )
        listed.append(
            schemas.HistoryPermitOut(
                permit_id=permit.id,
                status=status_of(permit, today),
                region_code=permit.region_code,
                region_name=regions.describe(permit.region_code),
                address=permit.address,
                resident_since=permit.resident_since,
                basis=permit.basis,
                issued_on=permit.issued_on,
                valid_to=permit.valid_to,
                closed_on=permit.closed_on,
                closed_reason=permit.closed_reason,
                periods=[
                    schemas.PeriodOut(
                        start=p.start,
                        end=p.end,
                        started_by=p.started_by,
                        endorsements=p.endorsements,
                    )
                    for p in periods
                ],
            )
        )
    return schemas.ResidenceHistoryOut(
        id_number=id_number,
        as_of=today,
        earliest_resident_since=min((p.resident_since for p in permits), default=None),
        permits=listed,
        settled=[
            schemas.SettledOut(settlement_id=s.settlement_id, settled_on=s.settled_on)
            for s in settlements_of(session, id_number)
        ],
    )
