"""Pension's use cases over a Session (the caller's unit of work): act, read, confirm."""

from __future__ import annotations

import uuid
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.pension import schemas
from services.pension.models import (
    TABLES,
    MinimumLivingAssessment,
    PensionContinuation,
    PensionSettlement,
)
from services.pension.rules import (
    ApplicantInsurance,
    Member,
    SettlementFacts,
    decide_settlement,
)
from shared.audit import record_audit
from shared.db import utcnow
from shared.errors import Conflict, NotFound
from shared.identity import mask_id_number
from shared.parameters import ParameterSet
from shared.settlement import SettlementApproved


def facts_from(settlement: SettlementApproved) -> SettlementFacts:
    """The plain facts the rules read; data no settlement can carry is refused, not guessed."""
    if not settlement.members:
        raise ValueError("the settlement names no members")
    applicants = [m for m in settlement.members if m.relation == "applicant"]
    if len(applicants) != 1:
        raise ValueError(f"the settlement names {len(applicants)} applicants; exactly one settles")
    insurance = schemas.InsuranceData.model_validate(settlement.social_insurance or {})
    housing = schemas.HousingData.model_validate(settlement.housing or {})
    return SettlementFacts(
        decision_date=settlement.decision_date,
        destination_region_code=settlement.destination_region_code,
        members=tuple(
            Member(
                index=index,
                relation=member.relation,
                birth_date=member.birth_date,
                sex=member.sex,
                previous_region_code=member.previous_region_code,
            )
            for index, member in enumerate(settlement.members)
        ),
        applicant_insurance=ApplicantInsurance(
            employer_paid=insurance.employer_paid,
            pension_months=insurance.pension_months,
            insured_region_code=insurance.insured_region_code,
        ),
        monthly_household_income=housing.monthly_household_income,
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
        return f"already recorded on {existing.processed_at.date().isoformat()}: nothing changed"
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
    for continuation in decision.continuations:
        member = settlement.members[continuation.member_index]
        session.add(
            PensionContinuation(
                id=str(uuid.uuid4()),
                settlement_id=settlement_id,
                member_index=continuation.member_index,
                relation=continuation.relation,
                id_number=member.id_number,
                age_on_decision_date=continuation.age_on_decision_date,
                scheme=continuation.scheme,
                months_stated=continuation.months_carried_over,
                months_carried_over=continuation.months_carried_over,
                months_source=(
                    "application" if continuation.months_carried_over is not None else None
                ),
                origin_region_code=continuation.origin_region_code,
                status=continuation.status,
                clause=continuation.clause,
                reason=continuation.reason,
                missing=list(continuation.missing),
                parameters=list(continuation.parameters),
                pension_age=continuation.pension_age,
                pension_age_reached_on=continuation.pension_age_reached_on,
            )
        )
    assessment = decision.minimum_living
    session.add(
        MinimumLivingAssessment(
            settlement_id=settlement_id,
            region_code=assessment.region_code,
            outcome=assessment.outcome,
            household_size=assessment.household_size,
            monthly_household_income=_float(assessment.monthly_household_income),
            per_capita_income=_float(assessment.per_capita_income),
            standard=_float(assessment.standard),
            clause=assessment.clause,
            reason=assessment.reason,
            missing=list(assessment.missing),
            parameters=list(assessment.parameters),
        )
    )
    session.flush()
    statuses = Counter(c.status for c in decision.continuations)
    counted = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    plural = "" if len(decision.continuations) == 1 else "s"
    return (
        f"{len(decision.continuations)} pension continuation{plural}"
        f"{f' ({counted})' if counted else ''}; minimum living guarantee: {assessment.outcome}"
    )


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


def load_settlement(session: Session, settlement_id: str) -> PensionSettlement:
    row = session.execute(
        select(PensionSettlement)
        .where(PensionSettlement.settlement_id == settlement_id)
        .options(
            selectinload(PensionSettlement.continuations),
            selectinload(PensionSettlement.minimum_living),
        )
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(f"pension has not acted on settlement {settlement_id} (yet)")
    return row


def load_continuation(
    session: Session, continuation_id: str, *, for_update: bool = False
) -> PensionContinuation:
    query = select(PensionContinuation).where(PensionContinuation.id == continuation_id)
    if for_update:
        query = query.with_for_update()
    row = session.execute(query).scalar_one_or_none()
    if row is None:
        raise NotFound(f"no pension continuation {continuation_id}")
    return row


def confirm_months(
    session: Session, continuation_id: str, confirmation: schemas.ConfirmationIn, *, actor: str
) -> PensionContinuation:
    """Record the origin's confirmation of the months carried over: the relationship continues."""
    row = load_continuation(session, continuation_id, for_update=True)
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
    return schemas.ContinuationOut(
        id=row.id,
        settlement_id=row.settlement_id,
        member_index=row.member_index,
        relation=row.relation,
        id_number_masked=mask_id_number(row.id_number),
        age_on_decision_date=row.age_on_decision_date,
        scheme=row.scheme,
        months_stated=row.months_stated,
        months_carried_over=row.months_carried_over,
        months_source=row.months_source,
        origin_region_code=row.origin_region_code,
        status=row.status,
        clause=row.clause,
        reason=row.reason,
        missing=list(row.missing),
        parameters=list(row.parameters),
        pension_age=row.pension_age,
        pension_age_reached_on=row.pension_age_reached_on,
        confirmation=confirmation,
    )


def minimum_living_out(row: MinimumLivingAssessment) -> schemas.MinimumLivingOut:
    return schemas.MinimumLivingOut(
        settlement_id=row.settlement_id,
        region_code=row.region_code,
        outcome=row.outcome,
        household_size=row.household_size,
        monthly_household_income=row.monthly_household_income,
        per_capita_income=row.per_capita_income,
        standard=row.standard,
        clause=row.clause,
        reason=row.reason,
        missing=list(row.missing),
        parameters=list(row.parameters),
    )


def settlement_out(row: PensionSettlement) -> schemas.SettlementPensionOut:
    continuations = [continuation_out(c) for c in row.continuations]
    minimum_living = minimum_living_out(row.minimum_living)
    missing = [m for c in continuations for m in c.missing] + minimum_living.missing
    return schemas.SettlementPensionOut(
        settlement_id=row.settlement_id,
        decision_date=row.decision_date,
        destination_region_code=row.destination_region_code,
        rules_version=row.rules_version,
        household_size=row.household_size,
        processed_at=row.processed_at,
        continuations=continuations,
        minimum_living=minimum_living,
        information_needed=list(dict.fromkeys(missing)),
    )
