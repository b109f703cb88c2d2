"""Medical insurance's use cases over a Session: act on a settlement, supply a member's facts,
record the origin's answer, and the reads."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from sqlalchemy import and_, not_, select
from sqlalchemy.orm import Session, selectinload

from services.medical_insurance import rules, schemas
from services.medical_insurance.models import TABLES, MemberEntry, SettlementRecord
from shared import regions
from shared.audit import record_audit
from shared.db import columns_of, utcnow
from shared.errors import Conflict
from shared.identity import mask_id_number
from shared.pagination import Page, PageRequest, fetch_page, page_of
from shared.parameters import ParameterSet
from shared.routes import load_one
from shared.settlement import SettlementApproved

# --- acting on an approved settlement ------------------------------------------------------

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
    context = _context(settlement, parameters)
    session.add(
        SettlementRecord(**settlement.model_dump(include=_SETTLEMENT_KEPT), acted_at=utcnow())
    )
    decisions = []
    for index, member in enumerate(settlement.members):
        decision = rules.decide_member(
            rules.Member.of(index, member), settlement.social_insurance, context
        )
        entry = MemberEntry(
            id=str(uuid.uuid4()),
            settlement_id=settlement.settlement_id,
            member_index=index,
            **member.model_dump(include=_MEMBER_KEPT),
            decided_at=utcnow(),
        )
        _apply_decision(entry, decision)
        session.add(entry)
        decisions.append((decision.kind, decision.status))
    session.flush()
    return rules.summarise(decisions)


def _context(
    settlement: SettlementApproved | SettlementRecord, parameters: ParameterSet
) -> rules.Settlement:
    return rules.Settlement(
        decision_date=settlement.decision_date,
        destination_region_code=settlement.destination_region_code,
        parameters=parameters,
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


def _apply_decision(entry: MemberEntry, decision: rules.EntryDecision) -> None:
    for name in _DECIDED:
        setattr(entry, name, getattr(decision, name))
    entry.facts_basis = decision.basis
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
    insurance = rules.Insurance(
        **facts.model_dump(include={"insured", "region_code", "scheme", "months"}),
        employer_paying=facts.employed_with_employer_paying,
        basis="department",
    )
    member = rules.Member.of(entry.member_index, entry)
    _apply_decision(entry, rules.decide_entry(member, insurance, _context(record, parameters)))
    entry.supplied_insurance = supplied
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
    session: Session, *, transfer_id: str, answer: schemas.TransferConfirmationIn, actor: str
) -> MemberEntry:
    """Complete an awaiting transfer with the months the origin confirms, or record its
    refusal; a transfer that is not awaiting the origin is a 409."""
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


# --- reads ----------------------------------------------------------------------------------


def _settlement(
    session: Session, settlement_id: str, *, with_entries: bool = False
) -> SettlementRecord:
    return load_one(
        session,
        SettlementRecord,
        SettlementRecord.settlement_id == settlement_id,
        not_found=f"medical insurance has not acted on settlement {settlement_id}",
        options=(selectinload(SettlementRecord.entries),) if with_entries else (),
    )


def load_transfer(session: Session, transfer_id: str, *, for_update: bool = False) -> MemberEntry:
    return load_one(
        session,
        MemberEntry,
        MemberEntry.id == transfer_id,
        MemberEntry.kind == "transfer",
        not_found=f"no transfer {transfer_id}",
        for_update=for_update,
    )


def settlement_out(session: Session, settlement_id: str, *, today: date) -> schemas.SettlementOut:
    record = _settlement(session, settlement_id, with_entries=True)
    entries = [entry_out(entry, today=today) for entry in record.entries]
    used: dict[str, dict[str, Any]] = {}
    for entry in record.entries:
        for reference in entry.parameters:
            used.setdefault(json.dumps(reference, sort_keys=True), reference)
    return schemas.SettlementOut(
        **columns_of(record),
        clause=rules.CLAUSE,
        entries=entries,
        information_needed=[
            schemas.MemberNeed(member_index=e.member_index, missing=e.missing)
            for e in entries
            if e.missing
        ],
        parameters=list(used.values()),
    )


def entry_out(entry: MemberEntry, *, today: date) -> schemas.EntryOut:
    """The entry as read: the identity number masked, the origin described, `overdue` as of
    `today`; every other field is the column of the same name (the rest are not shown)."""
    derived: dict[str, Any] = {
        "entry_id": entry.id,
        "transfer_id": entry.id if entry.kind == "transfer" else None,
        "id_number_masked": mask_id_number(entry.id_number),
        "from_region": (
            regions.describe(entry.from_region_code) if entry.from_region_code else None
        ),
        "overdue": rules.is_overdue(entry.status, entry.confirmation_deadline, today),
    }
    return schemas.EntryOut.model_validate({**columns_of(entry), **derived})


def transfer_out(session: Session, transfer_id: str, *, today: date) -> schemas.EntryOut:
    return entry_out(load_transfer(session, transfer_id), today=today)


def transfers_page(
    session: Session, *, overdue: bool | None, status: str | None, today: date, page: PageRequest
) -> Page[schemas.EntryOut]:
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
    query = (
        select(MemberEntry)
        .where(*conditions)
        .order_by(
            MemberEntry.confirmation_deadline.asc().nulls_last(),
            MemberEntry.settlement_id,
            MemberEntry.member_index,
        )
    )
    entries, total = fetch_page(session, query, page)
    return page_of([entry_out(entry, today=today) for entry in entries], total, page)
