"""Medical insurance's use cases over a Session: decide a settlement (on approval and again),
supply a member's facts, record the origin's answer (filings for care at the origin are
`care_elsewhere`'s)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.medical_insurance import rules, schemas
from services.medical_insurance.care_elsewhere import end_with_transfer
from services.medical_insurance.models import (
    TABLES,
    MemberEntry,
    SettlementRecord,
)
from services.medical_insurance.rows import load_transfer, lock_case
from shared.audit import record_audit
from shared.db import utcnow
from shared.errors import Conflict
from shared.follow_through import Case, Decision, FollowThrough, Gap, decide_again, gaps_of
from shared.routes import load_one
from shared.rules import undetermined
from shared.settlement import SettledMember, SettlementApproved

# The facts the department may supply for a member, in the application's own names.
INSURANCE_FACTS = (rules.MEDICAL_MONTHS, rules.INSURED_REGION, rules.EMPLOYER_PAID)

# --- deciding a settlement -----------------------------------------------------------------

# What is kept of the event: the settlement's date and place; of each member, what the entry
# and the origin's fund need, and no name.
_SETTLEMENT_KEPT = {"settlement_id", "decision_date", "destination_region_code", "rules_version"}
_MEMBER_KEPT = {
    "relation",
    "birth_date",
    "id_number",
    "previous_region_code",
    "previous_hukou_type",
}


def decide(session: Session, case: Case) -> Decision:
    """Transfer, continue or enroll each member's insurance (三(六)), on what is known now: on
    approval, and again each time a fact, a confirmation or a parameter arrives.

    A member decided before keeps the entry (a transfer is requested once, whatever decides
    again); a member still waiting for information is decided afresh from the application, the
    facts supplied since and the parameters in force on the decision date; an awaiting transfer
    gets its deadline once the parameter is recorded. What each member still waits on is a gap
    of that member's.
    """
    settlement = case.settlement
    if not settlement.members:
        raise ValueError(f"settlement {settlement.settlement_id} names no household member")
    context = rules.Settlement(
        decision_date=settlement.decision_date,
        destination_region_code=settlement.destination_region_code,
        parameters=rules.PARAMETERS.current(),
    )
    entries = _entries(session, settlement)
    for index, member in enumerate(settlement.members):
        entry = entries.get(index)
        if entry is None:
            entries[index] = _first_entry(session, settlement, index, member, case, context)
        elif entry.status == "information_needed":
            _decide_again(entry, _decision_for(entry, case, context))
        elif entry.status == "awaiting_origin" and entry.confirmation_deadline is None:
            _give_deadline(entry, context)
    session.flush()
    decided = [entries[index] for index in sorted(entries)]
    return Decision(
        summary=rules.summarise([(entry.kind, entry.status) for entry in decided]),
        gaps=tuple(
            gap for entry in decided for gap in gaps_of_entry(entry, settlement.decision_date)
        ),
    )


def _entries(session: Session, settlement: SettlementApproved) -> dict[int, MemberEntry]:
    """The members' entries already made, by member index (none on approval)."""
    record = session.execute(
        select(SettlementRecord)
        .where(SettlementRecord.settlement_id == settlement.settlement_id)
        .options(selectinload(SettlementRecord.entries))
        # An entry the caller changed (and flushed) in this unit of work is read as it now is.
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if record is None:
        session.add(
            SettlementRecord(**settlement.model_dump(include=_SETTLEMENT_KEPT), acted_at=utcnow())
        )
        return {}
    return {entry.member_index: entry for entry in record.entries}


def _first_entry(
    session: Session,
    settlement: SettlementApproved,
    index: int,
    member: SettledMember,
    case: Case,
    context: rules.Settlement,
) -> MemberEntry:
    entry = MemberEntry(
        id=str(uuid.uuid4()),
        settlement_id=settlement.settlement_id,
        member_index=index,
        **member.model_dump(include=_MEMBER_KEPT),
        supplied_insurance=None,
        decided_at=utcnow(),
    )
    _apply_decision(entry, _decision_for(entry, case, context))
    session.add(entry)
    return entry


def _decision_for(entry: MemberEntry, case: Case, context: rules.Settlement) -> rules.EntryDecision:
    """The member's entry from what the department established of their insurance (PUT), or
    else from the application and the facts supplied for them."""
    member = rules.Member.of(entry.member_index, entry)
    if entry.supplied_insurance is not None:
        return rules.decide_entry(member, _established(entry.supplied_insurance), context)
    supplied = {name: case.fact(entry.member_index, name) for name in INSURANCE_FACTS}
    return rules.decide_member(member, case.settlement.social_insurance, context, supplied)


def _established(stored: Mapping[str, Any]) -> rules.Insurance:
    facts = schemas.MemberInsuranceIn.model_validate(stored)
    return rules.Insurance(
        insured=facts.insured,
        region_code=facts.region_code,
        scheme=facts.scheme,
        months=facts.months,
        employer_paying=facts.employed_with_employer_paying,
        basis="department",
    )


# What an entry keeps of its decision under the decision's own names.
_DECIDED = (
    "kind",
    "status",
    "from_region_code",
    "from_scheme",
    "to_scheme",
    "months_declared",
    "months_carried_over",
    "coverage_start",
    "confirmation_deadline",
    "clause",
    "reason",
)


def _decided(decision: rules.EntryDecision) -> dict[str, Any]:
    return {
        **{name: getattr(decision, name) for name in _DECIDED},
        "facts_basis": decision.basis,
        "missing": list(decision.missing),
        "parameters": list(decision.parameters),
    }


def _apply_decision(entry: MemberEntry, decision: rules.EntryDecision) -> None:
    for name, value in _decided(decision).items():
        setattr(entry, name, value)
    entry.updated_at = utcnow()


def _decide_again(entry: MemberEntry, decision: rules.EntryDecision) -> None:
    """A waiting entry decided afresh; left as it is when nothing about it changed."""
    if any(getattr(entry, name) != value for name, value in _decided(decision).items()):
        _apply_decision(entry, decision)
        entry.decided_at = entry.updated_at


def _give_deadline(entry: MemberEntry, context: rules.Settlement) -> None:
    """An awaiting transfer's deadline, once the parameter is in force on the decision date."""
    found = rules.deadline_since_set(context)
    if found is None:
        return
    deadline, reference, sentence = found
    entry.confirmation_deadline = deadline
    entry.parameters = [*entry.parameters, reference]
    entry.missing = []  # the deadline was all an awaiting transfer could miss
    entry.reason = f"{entry.reason} {sentence}"
    entry.updated_at = utcnow()


def gaps_of_entry(entry: MemberEntry, decision_date: date) -> list[Gap]:
    """What the member's entry still waits on: the facts or parameters it names as missing,
    and for a transfer awaiting the origin, the origin's confirmation."""
    index = entry.member_index
    if entry.status != "awaiting_origin":
        check = undetermined("medical_insurance_entry", rules.CLAUSE, entry.reason, entry.missing)
        return gaps_of([check], member_index=index)
    gaps = []
    if entry.confirmation_deadline is None:
        gaps.append(
            Gap(
                field=rules.parameter_field(rules.ORIGIN_CONFIRMATION_DAYS),
                reason=f"The transfer waits on a parameter: {rules.no_deadline(decision_date)}.",
                kind="parameter",
                member_index=index,
            )
        )
    gaps.append(
        Gap(
            field=rules.ORIGIN_CONFIRMATION,
            reason=rules.awaiting_origin(entry.id, entry.confirmation_deadline),
            kind="confirmation",
            member_index=index,
        )
    )
    return gaps


# --- the department supplies what the application did not say -------------------------------


def supply_member_insurance(
    session: Session,
    *,
    settlement_id: str,
    member_index: int,
    facts: schemas.MemberInsuranceIn,
    department: FollowThrough,
    actor: str,
) -> MemberEntry:
    """Decide a member's entry from the facts the department establishes (三(六)), by
    deciding the settlement again.

    Only an entry still needing information is decided this way; the same facts again answer
    the entry as it stands (PUT is idempotent); other facts for a decided entry are a 409.
    """
    lock_case(session, settlement_id)
    entry = load_one(
        session,
        MemberEntry,
        MemberEntry.settlement_id == settlement_id,
        MemberEntry.member_index == member_index,
        not_found=f"settlement {settlement_id} has no member with index {member_index}",
        for_update=True,
    )
    supplied = facts.model_dump(mode="json")
    if entry.status != "information_needed":
        if entry.supplied_insurance == supplied:
            return entry
        raise Conflict(
            f"member {member_index}'s entry is already decided ({entry.kind}, {entry.status}); "
            "facts are supplied only for an entry that needs information",
            details=[{"field": "member_index", "reason": f"entry is {entry.status}"}],
        )
    entry.supplied_insurance = supplied
    session.flush()
    decide_again(session, department, settlement_id, trigger="information", actor=actor)
    _audit(
        session,
        entry,
        actor,
        "member_insurance.supplied",
        member_index=member_index,
        kind=entry.kind,
    )
    return entry


# --- the origin's answer ------------------------------------------------------------------


def record_origin_answer(
    session: Session,
    *,
    transfer_id: str,
    answer: schemas.TransferConfirmationIn,
    department: FollowThrough,
    actor: str,
    today: date,
) -> MemberEntry:
    """Complete an awaiting transfer with the months the origin confirms, or record its
    refusal, end the member's filing for care at the origin `today`, and decide the settlement
    again; a transfer not awaiting the origin is a 409."""
    lock_case(session, load_transfer(session, transfer_id).settlement_id)
    entry = load_transfer(session, transfer_id, for_update=True)
    if entry.status != "awaiting_origin":
        raise Conflict(
            f"transfer {transfer_id} is {entry.status}, not awaiting the origin's confirmation",
            details=[{"field": "transfer_id", "reason": f"the transfer is {entry.status}"}],
        )
    if answer.outcome == "confirmed":
        assert answer.months is not None and answer.coverage_end is not None  # the schema's
        assert entry.coverage_start is not None  # every transfer has one
        outcome = rules.confirm_transfer(
            coverage_start=entry.coverage_start,
            months_declared=entry.months_declared,
            months=answer.months,
            origin_coverage_end=answer.coverage_end,
            origin_scheme=answer.origin_scheme,
            from_scheme=entry.from_scheme,
        )
    else:
        outcome = rules.refuse_transfer(
            reason=answer.reason or "", coverage_start=entry.coverage_start
        )
    entry.status = outcome.status
    entry.months_carried_over = outcome.months_carried_over
    entry.origin_coverage_end = outcome.origin_coverage_end
    entry.continuous = outcome.continuous
    entry.from_scheme = outcome.from_scheme or entry.from_scheme
    entry.reason = f"{entry.reason} {outcome.reason}"
    entry.missing = []  # the deadline no longer matters once the origin has answered
    entry.origin_answer = {**answer.model_dump(mode="json"), "recorded_by": actor}
    entry.updated_at = utcnow()
    _audit(session, entry, actor, f"transfer.{answer.outcome}", status=entry.status)
    # The transfer is no longer under way: a filing for care at the origin ends with it.
    end_with_transfer(session, entry, actor=actor, today=today)
    decide_again(session, department, entry.settlement_id, trigger="confirmation", actor=actor)
    return entry


def _audit(session: Session, entry: MemberEntry, actor: str, action: str, **detail: Any) -> None:
    """Record who changed the entry and how, and write the change (within the caller's unit
    of work)."""
    record_audit(
        session,
        TABLES,
        actor=actor,
        action=action,
        entity_type="medical_entry",
        entity_id=entry.id,
        detail={"settlement_id": entry.settlement_id, **detail},
    )
    session.flush()
