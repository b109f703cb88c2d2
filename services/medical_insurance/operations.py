"""Medical insurance's use cases over a Session: act on a settlement, supply a member's facts,
record the origin's answer, and the reads."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from sqlalchemy import and_, func, not_, select
from sqlalchemy.orm import Session, selectinload

from services.medical_insurance import rules, schemas
from services.medical_insurance.models import TABLES, MemberEntry, SettlementRecord
from shared import regions
from shared.audit import record_audit
from shared.db import utcnow
from shared.errors import Conflict, NotFound
from shared.identity import mask_id_number
from shared.parameters import ParameterSet
from shared.settlement import SettledMember, SettlementApproved

# --- acting on an approved settlement ------------------------------------------------------


def record_settlement(
    session: Session, settlement: SettlementApproved, *, parameters: ParameterSet
) -> str:
    """Make an entry for every member of the household; returns a one-line summary.

    Deciding again is a no-op: the settlement's primary key and the (settlement, member)
    constraint hold even if the inbox were bypassed, and the summary is of what is recorded.
    """
    existing = session.get(SettlementRecord, settlement.settlement_id)
    if existing is not None:
        kinds = session.execute(
            select(MemberEntry.kind, MemberEntry.status).where(
                MemberEntry.settlement_id == settlement.settlement_id
            )
        ).all()
        return rules.summarise([(kind, status) for kind, status in kinds])
    if not settlement.members:
        raise ValueError(f"settlement {settlement.settlement_id} names no household member")
    context = rules.Settlement(
        decision_date=settlement.decision_date,
        destination_region_code=settlement.destination_region_code,
        parameters=parameters,
    )
    session.add(
        SettlementRecord(
            settlement_id=settlement.settlement_id,
            decision_date=settlement.decision_date,
            destination_region_code=settlement.destination_region_code,
            rules_version=settlement.rules_version,
            acted_at=utcnow(),
        )
    )
    decisions = []
    for index, member in enumerate(settlement.members):
        decision = rules.decide_member(_member(index, member), settlement.social_insurance, context)
        entry = MemberEntry(
            id=str(uuid.uuid4()),
            settlement_id=settlement.settlement_id,
            member_index=index,
            relation=member.relation,
            birth_date=member.birth_date,
            id_number=member.id_number,
            previous_region_code=member.previous_region_code,
            previous_hukou_type=member.previous_hukou_type,
            decided_at=utcnow(),
        )
        _apply_decision(entry, decision)
        session.add(entry)
        decisions.append((decision.kind, decision.status))
    session.flush()
    return rules.summarise(decisions)


def _member(index: int, member: SettledMember) -> rules.Member:
    return rules.Member(
        index=index,
        relation=member.relation,
        birth_date=member.birth_date,
        previous_region_code=member.previous_region_code,
        previous_hukou_type=member.previous_hukou_type,
    )


def _apply_decision(entry: MemberEntry, decision: rules.EntryDecision) -> None:
    entry.kind = decision.kind
    entry.status = decision.status
    entry.facts_basis = decision.basis
    entry.from_region_code = decision.from_region_code
    entry.from_scheme = decision.from_scheme
    entry.to_scheme = decision.to_scheme
    entry.months_declared = decision.months_declared
    entry.months_carried_over = decision.months_carried_over
    entry.coverage_start = decision.coverage_start
    entry.confirmation_deadline = decision.confirmation_deadline
    entry.clause = decision.clause
    entry.reason = decision.reason
    entry.missing = list(decision.missing)
    entry.parameters = list(decision.parameters)
    entry.updated_at = utcnow()


# --- the department supplies what the application did not say -------------------------------


def supply_member_insurance(
    session: Session,
    *,
    settlement_id: str,
    member_index: int,
    facts: schemas.MemberInsuranceIn,
    parameters: ParameterSet,
    actor: str,
) -> MemberEntry:
    """Decide a member's entry from the facts the department supplies (三(六)).

    Only an entry still needing information is decided this way; the same facts again answer
    the entry as it stands (PUT is idempotent); other facts for a decided entry are a 409.
    """
    record = _settlement(session, settlement_id)
    entry = session.execute(
        select(MemberEntry)
        .where(MemberEntry.settlement_id == settlement_id, MemberEntry.member_index == member_index)
        .with_for_update()
    ).scalar_one_or_none()
    if entry is None:
        raise NotFound(f"settlement {settlement_id} has no member with index {member_index}")
    supplied = facts.model_dump(mode="json")
    if entry.status != "information_needed":
        if entry.supplied_insurance == supplied:
            return entry
        raise Conflict(
            f"member {member_index}'s entry is already decided ({entry.kind}, {entry.status}); "
            "facts are supplied only for an entry that needs information",
            details=[{"field": "member_index", "reason": f"entry is {entry.status}"}],
        )
    context = rules.Settlement(
        decision_date=record.decision_date,
        destination_region_code=record.destination_region_code,
        parameters=parameters,
    )
    insurance = rules.Insurance(
        insured=facts.insured,
        region_code=facts.region_code,
        scheme=facts.scheme,
        months=facts.months,
        employer_paying=facts.employed_with_employer_paying,
        basis="department",
    )
    member = rules.Member(
        index=entry.member_index,
        relation=entry.relation,
        birth_date=entry.birth_date,
        previous_region_code=entry.previous_region_code,
        previous_hukou_type=entry.previous_hukou_type,
    )
    _apply_decision(entry, rules.decide_entry(member, insurance, context))
    entry.supplied_insurance = supplied
    record_audit(
        session,
        TABLES,
        actor=actor,
        action="member_insurance.supplied",
        entity_type="medical_entry",
        entity_id=entry.id,
        detail={"settlement_id": settlement_id, "member_index": member_index, "kind": entry.kind},
    )
    session.flush()
    return entry


# --- the origin's answer ------------------------------------------------------------------


def record_origin_answer(
    session: Session, *, transfer_id: str, answer: schemas.TransferConfirmationIn, actor: str
) -> MemberEntry:
    """Complete an awaiting transfer with the months the origin confirms, or record its
    refusal; a transfer that is not awaiting the origin is a 409."""
    entry = session.execute(
        select(MemberEntry)
        .where(MemberEntry.id == transfer_id, MemberEntry.kind == "transfer")
        .with_for_update()
    ).scalar_one_or_none()
    if entry is None:
        raise NotFound(f"no transfer {transfer_id}")
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
    record_audit(
        session,
        TABLES,
        actor=actor,
        action=f"transfer.{answer.outcome}",
        entity_type="medical_entry",
        entity_id=entry.id,
        detail={"settlement_id": entry.settlement_id, "status": entry.status},
    )
    session.flush()
    return entry


# --- reads ----------------------------------------------------------------------------------


def _settlement(session: Session, settlement_id: str) -> SettlementRecord:
    record = session.get(SettlementRecord, settlement_id)
    if record is None:
        raise NotFound(f"medical insurance has not acted on settlement {settlement_id}")
    return record


def settlement_out(session: Session, settlement_id: str, *, today: date) -> schemas.SettlementOut:
    record = session.execute(
        select(SettlementRecord)
        .where(SettlementRecord.settlement_id == settlement_id)
        .options(selectinload(SettlementRecord.entries))
    ).scalar_one_or_none()
    if record is None:
        raise NotFound(f"medical insurance has not acted on settlement {settlement_id}")
    entries = [entry_out(entry, today=today) for entry in record.entries]
    used: dict[str, dict[str, Any]] = {}
    for entry in record.entries:
        for reference in entry.parameters:
            used.setdefault(json.dumps(reference, sort_keys=True), reference)
    return schemas.SettlementOut(
        settlement_id=record.settlement_id,
        clause=rules.CLAUSE,
        decision_date=record.decision_date,
        destination_region_code=record.destination_region_code,
        rules_version=record.rules_version,
        entries=entries,
        information_needed=[
            schemas.MemberNeed(member_index=e.member_index, missing=e.missing)
            for e in entries
            if e.missing
        ],
        parameters=list(used.values()),
    )


def entry_out(entry: MemberEntry, *, today: date) -> schemas.EntryOut:
    return schemas.EntryOut.model_validate(
        dict(
            entry_id=entry.id,
            transfer_id=entry.id if entry.kind == "transfer" else None,
            settlement_id=entry.settlement_id,
            member_index=entry.member_index,
            relation=entry.relation,
            birth_date=entry.birth_date,
            id_number_masked=mask_id_number(entry.id_number),
            previous_region_code=entry.previous_region_code,
            previous_hukou_type=entry.previous_hukou_type,
            kind=entry.kind,
            status=entry.status,
            facts_basis=entry.facts_basis,
            from_region_code=entry.from_region_code,
            from_region=(
                regions.describe(entry.from_region_code) if entry.from_region_code else None
            ),
            from_scheme=entry.from_scheme,
            to_scheme=entry.to_scheme,
            months_declared=entry.months_declared,
            months_carried_over=entry.months_carried_over,
            coverage_start=entry.coverage_start,
            confirmation_deadline=entry.confirmation_deadline,
            overdue=rules.is_overdue(entry.status, entry.confirmation_deadline, today),
            origin_coverage_end=entry.origin_coverage_end,
            continuous=entry.continuous,
            clause=entry.clause,
            reason=entry.reason,
            missing=list(entry.missing),
            parameters=list(entry.parameters),
        )
    )


def load_transfer(session: Session, transfer_id: str) -> MemberEntry:
    entry = session.execute(
        select(MemberEntry).where(MemberEntry.id == transfer_id, MemberEntry.kind == "transfer")
    ).scalar_one_or_none()
    if entry is None:
        raise NotFound(f"no transfer {transfer_id}")
    return entry


def list_transfers(
    session: Session,
    *,
    overdue: bool | None,
    status: str | None,
    today: date,
    page: int,
    page_size: int,
) -> tuple[list[MemberEntry], int]:
    """Transfers, the longest overdue first; `overdue` is judged against `today`."""
    conditions = [MemberEntry.kind == "transfer"]
    if status is not None:
        conditions.append(MemberEntry.status == status)
    late = and_(
        MemberEntry.status == "awaiting_origin",
        MemberEntry.confirmation_deadline.is_not(None),
        MemberEntry.confirmation_deadline < today,
    )
    if overdue is True:
        conditions.append(late)
    elif overdue is False:
        conditions.append(not_(late))
    total = session.execute(select(func.count()).select_from(MemberEntry).where(*conditions))
    items = session.execute(
        select(MemberEntry)
        .where(*conditions)
        .order_by(
            MemberEntry.confirmation_deadline.asc().nulls_last(),
            MemberEntry.settlement_id,
            MemberEntry.member_index,
        )
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return list(items.scalars()), int(total.scalar_one())
