"""Follow-through: a department decides a settlement, and decides again until nothing is open.

Every department that acts on `settlement.approved` declares one `FollowThrough`: its
decision (a function over the settlement as approved, with the facts supplied since), the facts
it takes, its parameters. The kernel does the rest the same way everywhere:

- on approval it keeps the settlement as approved and decides;
- after each decision it reconciles the open items (a gap still there keeps its item and its
  date, a gap gone closes its item, a new gap opens one, due `follow_through_days` later),
  sets the status, writes the audit entry and publishes `settlement.processed`, all in the
  caller's transaction;
- facts supplied through `POST /v1/settlements/{id}/information`, a confirmation recorded by
  the department's own route, or a parameter coming into force make it decide again.

A parameter arriving re-decides each settlement waiting on it exactly once: a case keeps the
fingerprint of the parameters its open items wait on, and is decided again only when the
fingerprint of those in force differs, under a lock on the case, so neither a restart nor a
second replica decides it twice.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal, get_type_hints

from pydantic import BaseModel
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shared import clock
from shared.audit import record_audit
from shared.db import Database, PlatformTables, utcnow
from shared.errors import Conflict, NotFound
from shared.events.consumer import Subscription
from shared.events.envelope import CloudEvent
from shared.follow_through.facts import (
    SECTION_OWNERS,
    FactField,
    InformationIn,
    checked_facts,
    member_key,
)
from shared.follow_through.items import (
    open_fields,
    open_parameter_names,
    reconcile,
    waiting_on,
)
from shared.follow_through.model import Decision, FollowThroughTables, Status
from shared.identity import mask_identity_numbers
from shared.keys import Keyring
from shared.parameters import FOLLOW_THROUGH_DAYS, ParameterSet, ParameterSource
from shared.registry import SERVICES_BY_NAME, SETTLEMENT_APPROVED
from shared.settlement import SettlementApproved, report_processed

log = logging.getLogger(__name__)

Trigger = Literal["approved", "information", "parameter", "confirmation"]


@dataclass(frozen=True)
class Case:
    """What a department decides on: the settlement as approved, with every fact supplied
    since read into its sections, and the supplied facts by member."""

    settlement: SettlementApproved
    supplied: Mapping[str, Mapping[str, Any]]
    trigger: Trigger
    version: int
    """The version this decision will be: 1 on approval, then one more each time."""

    @property
    def first(self) -> bool:
        return self.version == 1

    def fact(self, member_index: int | None, name: str) -> Any | None:
        """A fact supplied for one member (None: the household), or None if none was."""
        return self.supplied.get(member_key(member_index), {}).get(name)


Decide = Callable[[Session, Case], Decision]
"""A department's decision: acts on the case (creating or updating its own records, never
repeating an effect it already had) and says what is still open."""

RecordOut = Callable[[Session, str], BaseModel]
"""The department's answer about one settlement, as its `GET /v1/settlements/{id}` gives it."""


@dataclass(frozen=True)
class FollowThrough:
    """One department's follow-through on approved settlements."""

    service: str
    records: FollowThroughTables
    decide: Decide
    record: RecordOut
    facts: Sequence[FactField] = ()
    parameters: ParameterSource | None = None

    @property
    def tables(self) -> PlatformTables:
        """The department's platform tables, where the audit entry and the report are written."""
        return self.records.platform

    @property
    def record_model(self) -> type[BaseModel]:
        """The model of `record`'s answer: its return annotation, as FastAPI reads a route's."""
        model: type[BaseModel] = get_type_hints(self.record)["return"]
        return model

    @property
    def write_scope(self) -> str:
        """The department's write scope: what supplying information needs."""
        return SERVICES_BY_NAME[self.service].write_scope

    def subscription(self, keyring: Keyring) -> Subscription:
        """Consume `settlement.approved`: open the section sealed to this department with its
        key from `keyring`, then open the case and decide, once per settlement."""

        def follow_through(session: Session, event: CloudEvent) -> None:
            open_case(session, self, SettlementApproved.opened(event, keyring, self.service))

        return Subscription(
            group=self.service,
            handlers={SETTLEMENT_APPROVED: [follow_through]},
            on_dead_letter=self._report_failure,
        )

    def _report_failure(self, session: Session, event: CloudEvent, error: str) -> None:
        data = event.get_data()
        known = data.get("settlement_id") if isinstance(data, dict) else None
        settlement_id = str(known or event.get_subject())
        report_processed(
            session,
            self.tables,
            service=self.service,
            settlement_id=settlement_id,
            outcome="failed",
            status="failed",
            # hukou shows the summary to case workers: no identity number, whatever failed.
            summary=f"could not be processed: {mask_identity_numbers(error)[:300]}",
        )


# --- acting on a settlement ------------------------------------------------------------------


def open_case(session: Session, department: FollowThrough, settlement: SettlementApproved) -> None:
    """Keep the settlement as approved and decide it. A settlement delivered again, even under
    another event id, finds its case and changes nothing."""
    cases = department.records.cases
    exists = session.execute(
        select(cases.c.settlement_id).where(cases.c.settlement_id == settlement.settlement_id)
    ).first()
    if exists is not None:
        log.info("settlement already followed", extra={"settlement_id": settlement.settlement_id})
        return
    session.execute(
        insert(cases).values(
            settlement_id=settlement.settlement_id,
            approved=settlement.model_dump(mode="json"),
            supplied={},
            status="action_needed",
            version=0,
            summary="",
            updated_at=utcnow(),
        )
    )
    decide_again(session, department, settlement.settlement_id, trigger="approved")


def decide_again(
    session: Session,
    department: FollowThrough,
    settlement_id: str,
    *,
    trigger: Trigger,
    actor: str | None = None,
) -> Status:
    """Decide the settlement now, on what is known now; reconcile its open items and report.

    A department's own route that records a confirmation calls this in its transaction.
    """
    case_row = _locked_case(session, department, settlement_id)
    version = case_row.version + 1
    case = Case(
        settlement=with_supplied(case_row.approved, case_row.supplied),
        supplied=case_row.supplied,
        trigger=trigger,
        version=version,
    )
    decision = department.decide(session, case)
    items = reconcile(
        session,
        department.records,
        settlement_id,
        version,
        decision.gaps,
        due_on=_due_on(department, case),
    )
    status: Status = "action_needed" if items else "done"
    waiting = waiting_on(items)
    session.execute(
        update(department.records.cases)
        .where(department.records.cases.c.settlement_id == settlement_id)
        .values(
            status=status,
            version=version,
            summary=decision.summary,
            parameters_digest=_digest(_parameters(department), waiting),
            updated_at=utcnow(),
        )
    )
    record_audit(
        session,
        department.tables,
        actor=actor or f"event:{SETTLEMENT_APPROVED.removeprefix('cn.gov.shaoguan.')}",
        action="settlement.decided",
        entity_type="settlement",
        entity_id=settlement_id,
        detail={
            "trigger": trigger,
            "version": version,
            "status": status,
            "open": [f"{item.member_index}:{item.field}" for item in items],
            "summary": decision.summary,
        },
    )
    report_processed(
        session,
        department.tables,
        service=department.service,
        settlement_id=settlement_id,
        outcome="done",
        status=status,
        open_items=items,
        version=version,
        summary=decision.summary,
    )
    log.info("settlement decided: %s", status, extra={"settlement_id": settlement_id})
    return status


def supply_information(
    session: Session,
    department: FollowThrough,
    settlement_id: str,
    information: InformationIn,
    *,
    actor: str,
) -> None:
    """Take facts an open item asks for and decide again at once; refuse, writing nothing, a
    fact the department does not take, of the wrong type, or that nothing open asks for."""
    case_row = _locked_case(session, department, settlement_id)
    members = len(case_row.approved.get("members", []))
    values = checked_facts(department.facts, information, members=members)
    asked = open_fields(session, department.records, settlement_id, information.member_index)
    not_asked = [name for name in values if name not in asked]
    if not_asked:
        whose = (
            "the household"
            if information.member_index is None
            else f"member {information.member_index}"
        )
        raise Conflict(
            f"nothing open for {whose} asks for {', '.join(not_asked)}",
            details=[
                {"field": f"facts.{name}", "reason": f"no open item of {whose} asks for it"}
                for name in not_asked
            ],
        )
    supplied = copy.deepcopy(case_row.supplied)
    supplied.setdefault(member_key(information.member_index), {}).update(values)
    cases = department.records.cases
    session.execute(
        update(cases).where(cases.c.settlement_id == settlement_id).values(supplied=supplied)
    )
    decide_again(session, department, settlement_id, trigger="information", actor=actor)


def redecide_waiting(db: Database, department: FollowThrough) -> int:
    """Decide again every settlement whose awaited parameters changed; how many were."""
    items = department.records.open_items
    with db.read_only() as session:
        waiting = session.execute(
            select(items.c.settlement_id)
            .where(items.c.kind == "parameter", items.c.closed_at.is_(None))
            .distinct()
        ).scalars()
        settlement_ids = sorted(waiting)
    decided = 0
    for settlement_id in settlement_ids:
        with db.unit_of_work() as session:
            case_row = _locked_case(session, department, settlement_id)
            names = open_parameter_names(session, department.records, settlement_id)
            if _digest(_parameters(department), names) == case_row.parameters_digest:
                continue
            decide_again(
                session,
                department,
                settlement_id,
                trigger="parameter",
                actor=f"parameters:{department.service}",
            )
            decided += 1
    return decided


# --- the parts -------------------------------------------------------------------------------


def _locked_case(session: Session, department: FollowThrough, settlement_id: str) -> Any:
    cases = department.records.cases
    row = session.execute(
        select(cases).where(cases.c.settlement_id == settlement_id).with_for_update()
    ).first()
    if row is None:
        raise NotFound(f"{department.service} has not acted on settlement {settlement_id}")
    return row


def with_supplied(approved: Mapping[str, Any], supplied: Mapping[str, Any]) -> SettlementApproved:
    """The settlement as approved, with each supplied fact of an event section read into it."""
    data = copy.deepcopy(dict(approved))
    for owner, facts in supplied.items():
        for name, value in facts.items():
            section, _, attribute = name.partition(".")
            if section in SECTION_OWNERS and owner == member_key(SECTION_OWNERS[section]):
                data[section] = {**(data.get(section) or {}), attribute: value}
    return SettlementApproved.model_validate(data)


def _due_on(department: FollowThrough, case: Case) -> date | None:
    """An item opened today is due `follow_through_days` later, where the parameter is set."""
    opened_on = clock.today()
    days = _parameters(department).in_force(
        FOLLOW_THROUGH_DAYS, opened_on, case.settlement.destination_region_code
    )
    return None if days is None else opened_on + timedelta(days=int(days.value))


def _parameters(department: FollowThrough) -> ParameterSet:
    return department.parameters.current() if department.parameters else ParameterSet()


def _digest(parameters: ParameterSet, names: Sequence[str]) -> str | None:
    """A fingerprint of every configured version of the named parameters (None: none awaited)."""
    if not names:
        return None
    versions = sorted(
        json.dumps(p.reference(), sort_keys=True, default=str)
        for p in parameters.parameters
        if p.name in names
    )
    text = json.dumps([sorted(names), versions])
    return hashlib.sha256(text.encode()).hexdigest()
