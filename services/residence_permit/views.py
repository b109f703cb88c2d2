"""Permits as the API shows them: the resource, its entitlements, a person's residence history,
and what was done about a settlement."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.residence_permit import rules, schemas
from services.residence_permit.models import (
    FOLLOW_THROUGH_TABLES,
    Endorsement,
    PermitClosure,
    ResidencePermit,
    SettledPerson,
    SettlementRecord,
)
from services.residence_permit.operations import permits_of, standing, status_of
from services.residence_permit.settled import settlements_of
from shared import regions
from shared.db import columns_of
from shared.follow_through import state_of
from shared.loading import Loader


def endorsement_out(endorsement: Endorsement) -> schemas.EndorsementOut:
    return schemas.EndorsementOut.model_validate(endorsement, from_attributes=True)


def permit_out(permit: ResidencePermit, today: date) -> schemas.PermitOut:
    # Not `model_validate(permit, from_attributes=True)`: the answer adds what is computed (the
    # status today, names, related rows). The stored decision is validated as stored: the
    # checks, the parameter references.
    return schemas.PermitOut.model_validate(
        {
            **columns_of(permit),
            "status": status_of(permit, today),
            "as_of": today,
            "region_name": regions.describe(permit.region_code),
            "residence_counted_from": permit.period_start,
            "endorsements": permit.endorsements,
        }
    )


def entitlement_out(entitlement: rules.Entitlement) -> schemas.EntitlementOut:
    return schemas.EntitlementOut.model_validate(entitlement, from_attributes=True)


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
            schemas.HistoryPermitOut.model_validate(
                {
                    **columns_of(permit),
                    "permit_id": permit.id,
                    "status": status_of(permit, today),
                    "region_name": regions.describe(permit.region_code),
                    "periods": periods,
                }
            )
        )
    return schemas.ResidenceHistoryOut(
        id_number=id_number,
        as_of=today,
        earliest_resident_since=min((p.resident_since for p in permits), default=None),
        permits=listed,
        settled=settlements_of(session, id_number),
    )


def _closed(closures: Iterable[PermitClosure]) -> list[schemas.ClosedPermitOut]:
    return [schemas.ClosedPermitOut.model_validate(c, from_attributes=True) for c in closures]


load_record = Loader(
    SettlementRecord,
    SettlementRecord.settlement_id,
    "residence permits have not acted on settlement {}",
)


def settlement_out(session: Session, settlement_id: str) -> schemas.SettlementOut:
    """What this service did for a settlement, its status and open items first: 404 until it
    has acted on it."""
    record = load_record(session, settlement_id)
    state = state_of(session, FOLLOW_THROUGH_TABLES, settlement_id)
    closures = list(
        session.execute(
            select(PermitClosure)
            .where(PermitClosure.settlement_id == settlement_id)
            .order_by(PermitClosure.closed_at, PermitClosure.permit_id)
        ).scalars()
    )
    people = session.execute(
        select(SettledPerson)
        .where(SettledPerson.settlement_id == settlement_id)
        .order_by(SettledPerson.position)
    ).scalars()
    decisions = [
        schemas.MemberDecisionOut.model_validate(
            {
                **columns_of(person),
                "clause": rules.CLAUSE,
                "closed_permits": _closed(c for c in closures if c.id_number == person.id_number),
            }
        )
        for person in people
    ]
    return schemas.SettlementOut.model_validate(
        {
            **state.model_dump(),
            **columns_of(record),
            "clause": rules.CLAUSE,
            "closed_permits": _closed(closures),
            "decisions": decisions,
        }
    )
