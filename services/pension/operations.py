"""Pension's use cases over a Session (the caller's unit of work): decide, read, confirm."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.pension import schemas
from services.pension.models import TABLES, PensionContinuation, PensionSettlement
from services.pension.rules import (
    PARAMETERS,
    Continuation,
    Member,
    SettlementFacts,
    decide_continuations,
)
from services.pension.rules.base import (
    EMPLOYER_PAID,
    MONTHS_CARRIED_OVER,
    OCCUPATION_CATEGORY,
    OriginConfirmation,
)
from shared.audit import record_audit
from shared.db import utcnow
from shared.errors import Conflict
from shared.follow_through import Case, Decision, FollowThrough, Gap, decide_again, gaps_of
from shared.loading import Loader
from shared.settlement import SettlementApproved, SocialInsurance, received

Supplied = Callable[[int, str], Any]
"""A fact supplied since approval for one member (`Case.fact`), or None."""


def _none_supplied(member_index: int, name: str) -> Any:
    return None


def facts_from(
    settlement: SettlementApproved,
    *,
    supplied: Supplied = _none_supplied,
    confirmed: Mapping[int, OriginConfirmation] | None = None,
) -> SettlementFacts:
    """The plain facts the rules read: the settlement as approved (with the applicant's facts
    supplied since read into it), each other member's supplied facts and the origins'
    confirmations. Data no settlement can carry is refused, not guessed."""
    if not settlement.members:
        raise ValueError("the settlement names no members")
    applicants = [m for m in settlement.members if m.relation == "applicant"]
    if len(applicants) != 1:
        raise ValueError(f"the settlement names {len(applicants)} applicants; exactly one settles")
    # Negative months never get this far: the event model refuses them.
    insurance = settlement.social_insurance or SocialInsurance()
    confirmed = confirmed or {}
    members = []
    for index, member in enumerate(settlement.members):
        is_applicant = member.relation == "applicant"
        members.append(
            Member(
                index=index,
                relation=member.relation,
                birth_date=member.birth_date,
                sex=member.sex,
                previous_region_code=received(member.previous_region_code, "previous_region_code"),
                employer_paid=(
                    insurance.employer_paid if is_applicant else supplied(index, EMPLOYER_PAID)
                ),
                occupation_category=supplied(index, OCCUPATION_CATEGORY),
                confirmed=confirmed.get(index),
            )
        )
    return SettlementFacts(
        decision_date=settlement.decision_date,
        destination_region_code=settlement.destination_region_code,
        members=tuple(members),
        applicant_insurance=insurance,
    )


def decide(session: Session, case: Case) -> Decision:
    """Decide each adult's continuation on the settlement's decision date (三(七)), on what is
    known now: on approval, and again when a fact, a parameter or an origin's confirmation
    arrives. Each fact or parameter a continuation needs, and each confirmation it awaits, is an
    open item; the rows are brought up to date in place, so nothing is made twice."""
    settlement = case.settlement
    rows = _continuations(session, settlement.settlement_id)
    confirmed = {
        index: OriginConfirmation(row.confirmed_months, row.confirmed_origin_region_code)
        for index, row in rows.items()
        if row.confirmed_months is not None
    }
    facts = facts_from(settlement, supplied=case.fact, confirmed=confirmed)
    continuations = decide_continuations(facts, PARAMETERS.current())
    _record(session, settlement, continuations, rows)
    return Decision(summary=summary_of(continuations), gaps=gaps_of_continuations(continuations))


def gaps_of_continuations(continuations: Sequence[Continuation]) -> tuple[Gap, ...]:
    """What the continuations leave open: each member's facts, the city's parameters (the
    household's, once, however many members wait on them) and each origin's confirmation."""
    gaps: dict[tuple[int | None, str, str], Gap] = {}
    for continuation in continuations:
        found = gaps_of(continuation.open_checks, member_index=continuation.member_index)
        if continuation.awaiting is not None:
            found.append(
                Gap(
                    field=MONTHS_CARRIED_OVER,
                    reason=continuation.awaiting,
                    kind="confirmation",
                    member_index=continuation.member_index,
                )
            )
        for gap in found:
            if gap.kind == "parameter":
                gap = replace(gap, member_index=None)  # a parameter is the city's, no member's
            gaps.setdefault(gap.key, gap)
    return tuple(gaps.values())


def summary_of(continuations: Sequence[Continuation]) -> str:
    """One line for the `processed` event and the audit log: no names, no identity numbers."""
    statuses = Counter(c.status for c in continuations)
    counted = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    plural = "" if len(continuations) == 1 else "s"
    return f"{len(continuations)} pension continuation{plural}{f' ({counted})' if counted else ''}"


def _continuations(session: Session, settlement_id: str) -> dict[int, PensionContinuation]:
    rows = session.execute(
        select(PensionContinuation).where(PensionContinuation.settlement_id == settlement_id)
    ).scalars()
    return {row.member_index: row for row in rows}


def _record(
    session: Session,
    settlement: SettlementApproved,
    continuations: Sequence[Continuation],
    rows: dict[int, PensionContinuation],
) -> None:
    """The settlement and one row per adult, each kept under its id from the first decision."""
    settlement_id = settlement.settlement_id
    record = session.get(PensionSettlement, settlement_id) or PensionSettlement(
        settlement_id=settlement_id
    )
    record.decision_date = settlement.decision_date
    record.destination_region_code = settlement.destination_region_code
    record.rules_version = settlement.rules_version
    record.household_size = settlement.household_size
    record.processed_at = utcnow()
    session.add(record)
    session.flush()
    stated = settlement.social_insurance.pension_months if settlement.social_insurance else None
    for continuation in continuations:
        index = continuation.member_index
        row = rows.get(index)
        if row is None:
            row = PensionContinuation(
                id=str(uuid.uuid4()),
                settlement_id=settlement_id,
                member_index=index,
                id_number=settlement.members[index].id_number,
            )
            session.add(row)
        row.months_stated = stated if continuation.relation == "applicant" else None
        row.relation = continuation.relation
        row.age_on_decision_date = continuation.age_on_decision_date
        row.scheme = continuation.scheme
        row.months_carried_over = continuation.months_carried_over
        row.months_source = continuation.months_source
        row.origin_region_code = continuation.origin_region_code
        row.status = continuation.status
        row.clause = continuation.clause
        row.reason = continuation.reason
        row.missing = list(continuation.missing)
        row.parameters = list(continuation.parameters)
        row.pension_age = continuation.pension_age
        row.pension_age_reached_on = continuation.pension_age_reached_on
    session.flush()


load_settlement = Loader(
    PensionSettlement,
    PensionSettlement.settlement_id,
    "pension has not acted on settlement {} (yet)",
    options=(selectinload(PensionSettlement.continuations),),
)
"""The settlement pension acted on, with its continuations, or a 404."""

load_continuation = Loader(
    PensionContinuation, PensionContinuation.id, "no pension continuation {}"
)


def confirm_months(
    session: Session,
    continuation_id: str,
    confirmation: schemas.ConfirmationIn,
    *,
    actor: str,
    department: FollowThrough,
) -> PensionContinuation:
    """Record the origin's confirmation of the months carried over, and decide the settlement
    again: the relationship continues, and the item awaiting the confirmation closes."""
    settlement_id = load_continuation(session, continuation_id).settlement_id
    # The case first, then the continuation: the order every decision takes its locks in, so a
    # confirmation and a supply racing on one settlement wait for each other, never deadlock.
    cases = department.records.cases
    session.execute(
        select(cases.c.settlement_id)
        .where(cases.c.settlement_id == settlement_id)
        .with_for_update()
    )
    row = load_continuation(session, continuation_id, for_update=True)
    if row.status != "awaiting_origin":
        raise Conflict(
            f"continuation {continuation_id} is {row.status}, not awaiting the origin's "
            "confirmation",
            details=[{"field": "status", "reason": f"is {row.status}, not awaiting_origin"}],
        )
    row.confirmed_months = confirmation.months_carried_over
    row.confirmed_origin_region_code = confirmation.origin_region_code
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
            "origin_region_code": confirmation.origin_region_code or row.origin_region_code,
            "reference": confirmation.reference,
        },
    )
    session.flush()
    decide_again(session, department, settlement_id, trigger="confirmation", actor=actor)
    return row
