"""Pension's use cases over a Session (the caller's unit of work): act, read, confirm."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import fields
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, selectinload

from services.pension import rules, schemas
from services.pension.models import (
    TABLES,
    MinimumLivingAssessment,
    PensionContinuation,
    PensionSettlement,
)
from services.pension.rules import Member, SettlementFacts, decide_settlement
from shared.audit import record_audit
from shared.clock import local_date
from shared.db import columns_of, utcnow
from shared.errors import Conflict
from shared.identity import mask_id_number
from shared.parameters import ParameterSet
from shared.routes import load_one
from shared.settlement import SettlementApproved, SocialInsurance

MEMBER_FACTS = {field.name for field in fields(Member)} - {"index"}
"""What pension reads of a settled member (no name, no identity number: the rules need none)."""


def facts_from(settlement: SettlementApproved) -> SettlementFacts:
    """The plain facts the rules read; data no settlement can carry is refused, not guessed."""
    if not settlement.members:
        raise ValueError("the settlement names no members")
    applicants = [m for m in settlement.members if m.relation == "applicant"]
    if len(applicants) != 1:
        raise ValueError(f"the settlement names {len(applicants)} applicants; exactly one settles")
    # Negative months and non-finite income never get this far: the event model refuses them.
    income = settlement.housing.monthly_household_income if settlement.housing else None
    return SettlementFacts(
        decision_date=settlement.decision_date,
        destination_region_code=settlement.destination_region_code,
        members=tuple(
            Member(index=index, **member.model_dump(include=MEMBER_FACTS))
            for index, member in enumerate(settlement.members)
        ),
        applicant_insurance=settlement.social_insurance or SocialInsurance(),
        # The event carries a JSON number; the rules compare exact decimals of its digits.
        monthly_household_income=None if income is None else Decimal(str(income)),
    )


def record_settlement(
    session: Session, settlement: SettlementApproved, *, parameters: ParameterSet
) -> str:
    """Decide and record 三(七) for one approved settlement; once only, whatever redelivers it.

    Returns a one-line summary with no names or identity numbers (it travels in events).
    """
    settlement_id = settlement.settlement_id
    existing = session.get(PensionSettlement, settlement_id)
    if existing is not None:
        recorded_on = local_date(existing.processed_at).isoformat()  # Shaoguan's date
        return f"already recorded on {recorded_on}: nothing changed"
    facts = facts_from(settlement)
    decision = decide_settlement(facts, parameters)
    session.add(
        PensionSettlement(
            settlement_id=settlement_id,
            decision_date=settlement.decision_date,
            destination_region_code=settlement.destination_region_code,
            rules_version=settlement.rules_version,
            household_size=len(facts.members),
            processed_at=utcnow(),
        )
    )
    session.flush()
    assessment = decision.minimum_living
    for continuation in decision.continuations:
        months = continuation.months_carried_over
        session.add(
            PensionContinuation(
                id=str(uuid.uuid4()),
                settlement_id=settlement_id,
                id_number=settlement.members[continuation.member_index].id_number,
                months_stated=months,
                months_source="application" if months is not None else None,
                **_columns(continuation),
            )
        )
    session.add(MinimumLivingAssessment(settlement_id=settlement_id, **_columns(assessment)))
    session.flush()
    statuses = Counter(c.status for c in decision.continuations)
    counted = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    plural = "" if len(decision.continuations) == 1 else "s"
    return (
        f"{len(decision.continuations)} pension continuation{plural}"
        f"{f' ({counted})' if counted else ''}; minimum living guarantee: {assessment.outcome}"
    )


def _columns(decided: rules.Continuation | rules.MinimumLivingAssessment) -> dict[str, Any]:
    """A decision's fields as its row stores them: JSON lists, and the figures it showed."""
    return {name: _stored(value) for name, value in vars(decided).items()}


def _stored(value: object) -> object:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Decimal):
        return float(value)  # compared as exact decimals; stored as the figure shown
    return value


def load_settlement(session: Session, settlement_id: str) -> PensionSettlement:
    """The settlement pension acted on, with its continuations and 低保 assessment, or a 404."""
    return load_one(
        session,
        PensionSettlement,
        PensionSettlement.settlement_id == settlement_id,
        not_found=f"pension has not acted on settlement {settlement_id} (yet)",
        options=[
            selectinload(PensionSettlement.continuations),
            selectinload(PensionSettlement.minimum_living),
        ],
    )


def confirm_months(
    session: Session, continuation_id: str, confirmation: schemas.ConfirmationIn, *, actor: str
) -> PensionContinuation:
    """Record the origin's confirmation of the months carried over: the relationship continues."""
    row = load_one(
        session,
        PensionContinuation,
        PensionContinuation.id == continuation_id,
        not_found=f"no pension continuation {continuation_id}",
        for_update=True,
    )
    if row.status != "awaiting_origin":
        raise Conflict(
            f"continuation {continuation_id} is {row.status}, not awaiting the origin's "
            "confirmation",
            details=[{"field": "status", "reason": f"is {row.status}, not awaiting_origin"}],
        )
    row.months_carried_over = confirmation.months_carried_over
    row.months_source = "origin_confirmation"
    if confirmation.origin_region_code:
        row.origin_region_code = confirmation.origin_region_code
    row.status = "continued"
    row.confirmed_at = utcnow()
    row.confirmed_by = actor
    row.confirmation_reference = confirmation.reference
    record_audit(
        session,
        TABLES,
        actor=actor,
        action="continuation.confirmed",
        entity_type="pension_continuation",
        entity_id=row.id,
        detail={
            "settlement_id": row.settlement_id,
            "member_index": row.member_index,
            "months_stated": row.months_stated,
            "months_carried_over": confirmation.months_carried_over,
            "origin_region_code": row.origin_region_code,
            "reference": confirmation.reference,
        },
    )
    session.flush()
    return row


def continuation_out(row: PensionContinuation) -> schemas.ContinuationOut:
    confirmation = None
    if row.confirmed_at is not None and row.months_carried_over is not None:
        confirmation = schemas.ConfirmationOut(
            months_carried_over=row.months_carried_over,
            origin_region_code=row.origin_region_code,
            reference=row.confirmation_reference,
            confirmed_at=row.confirmed_at,
            confirmed_by=row.confirmed_by or "",
        )
    # The row's columns, then what is worked out from them (the answer has no `id_number`).
    return schemas.ContinuationOut.model_validate(
        {
            **columns_of(row),
            "id_number_masked": mask_id_number(row.id_number),
            "confirmation": confirmation,
        }
    )


def minimum_living_out(row: MinimumLivingAssessment) -> schemas.MinimumLivingOut:
    return schemas.MinimumLivingOut.model_validate(columns_of(row))


def settlement_out(row: PensionSettlement) -> schemas.SettlementPensionOut:
    continuations = [continuation_out(c) for c in row.continuations]
    minimum_living = minimum_living_out(row.minimum_living)
    missing = [m for c in continuations for m in c.missing] + minimum_living.missing
    return schemas.SettlementPensionOut.model_validate(
        {
            **columns_of(row),
            "continuations": continuations,
            "minimum_living": minimum_living,
            "information_needed": list(dict.fromkeys(missing)),
        }
    )
