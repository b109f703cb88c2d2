"""Medical insurance's filings for care at the origin during a transfer (三(六) 异地就医结算办法):
record one, end one, end it with the origin's answer, read them."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.medical_insurance import schemas
from services.medical_insurance.models import TABLES, CareElsewhereFiling, MemberEntry
from services.medical_insurance.rows import load_transfer, lock_case
from services.medical_insurance.rules import CLAUSE, care_elsewhere
from shared import regions
from shared.audit import record_audit
from shared.db import columns_of
from shared.errors import Conflict, InvalidInput
from shared.loading import Loader


def file_care_at_origin(
    session: Session,
    *,
    transfer_id: str,
    filing: schemas.CareFilingIn,
    actor: str,
    today: date,
) -> schemas.FilingOut:
    """Record the member's filing for care at the transfer's origin (三(六) 异地就医结算办法):
    only while the transfer awaits the origin, one in force at a time (a second is a 409
    naming the first), starting from the day the city's coverage began to `today`."""
    lock_case(session, load_transfer(session, transfer_id).settlement_id)
    entry = load_transfer(session, transfer_id, for_update=True)
    refusal = care_elsewhere.refusal_to_file(entry.kind, entry.status)
    if refusal is not None:
        raise Conflict(
            f"transfer {transfer_id} takes no filing for care at the origin: {refusal}",
            details=[{"field": "transfer_id", "reason": refusal}],
        )
    current = in_force(session, entry.id)
    if current is not None:
        raise Conflict(
            f"transfer {transfer_id} has filing {current.id} in force already",
            details=[
                {"field": "transfer_id", "reason": "a filing is in force", "filing": current.id}
            ],
        )
    assert entry.coverage_start is not None and entry.from_region_code is not None  # a transfer's
    starts_on = filing.starts_on or today
    problem = care_elsewhere.start_problem(
        starts_on, coverage_start=entry.coverage_start, today=today
    )
    if problem is not None:
        raise InvalidInput(
            f"starts_on {problem}", details=[{"field": "starts_on", "reason": problem}]
        )
    record = CareElsewhereFiling(
        id=str(uuid.uuid4()),
        entry_id=entry.id,
        settlement_id=entry.settlement_id,
        member_index=entry.member_index,
        care_region_code=entry.from_region_code,
        starts_on=starts_on,
        status=care_elsewhere.IN_FORCE,
        reason=care_elsewhere.filed_reason(entry.from_region_code, starts_on),
        filed_by=actor,
    )
    session.add(record)
    _audit(session, record, actor, "care_elsewhere.filed", starts_on=starts_on.isoformat())
    return filing_out(record)


def end_filing(
    session: Session, *, filing_id: str, ending: schemas.FilingEndIn, actor: str, today: date
) -> schemas.FilingOut:
    """End a filing in force before the origin answers, with the department's reason; one
    ended already is a 409."""
    filing = load_filing(session, filing_id, for_update=True)
    if filing.status != care_elsewhere.IN_FORCE:
        raise Conflict(
            f"filing {filing_id} ended on {filing.ended_on}",
            details=[{"field": "filing_id", "reason": "the filing has ended"}],
        )
    _end(filing, care_elsewhere.ended_by_department(ending.reason, today), actor, today)
    _audit(session, filing, actor, "care_elsewhere.ended", by="department")
    return filing_out(filing)


def end_with_transfer(session: Session, entry: MemberEntry, *, actor: str, today: date) -> None:
    """The origin has answered: the filing in force for the transfer, if any, ends today."""
    filing = in_force(session, entry.id)
    if filing is None:
        return
    _end(filing, care_elsewhere.ended_with_transfer(entry.status, today), actor, today)
    _audit(session, filing, actor, "care_elsewhere.ended", by="origin_answer")


def in_force(session: Session, entry_id: str) -> CareElsewhereFiling | None:
    return session.execute(
        select(CareElsewhereFiling).where(
            CareElsewhereFiling.entry_id == entry_id,
            CareElsewhereFiling.status == care_elsewhere.IN_FORCE,
        )
    ).scalar_one_or_none()


load_filing = Loader(CareElsewhereFiling, CareElsewhereFiling.id, "no filing {}")


def filings_of(session: Session, entry_ids: Collection[str]) -> dict[str, list[schemas.FilingOut]]:
    """The filings of each of `entry_ids`, as read, the latest first."""
    rows = session.execute(
        select(CareElsewhereFiling)
        .where(CareElsewhereFiling.entry_id.in_(entry_ids))
        .order_by(CareElsewhereFiling.filed_at.desc(), CareElsewhereFiling.id)
    ).scalars()
    found: dict[str, list[schemas.FilingOut]] = {}
    for row in rows:
        found.setdefault(row.entry_id, []).append(filing_out(row))
    return found


def filing_out(filing: CareElsewhereFiling) -> schemas.FilingOut:
    """The filing as read: its columns, its id and its transfer's, the region described."""
    return schemas.FilingOut.model_validate(
        {
            **columns_of(filing),
            "filing_id": filing.id,
            "transfer_id": filing.entry_id,
            "care_region": regions.describe(filing.care_region_code),
            "clause": CLAUSE,
        }
    )


def _end(filing: CareElsewhereFiling, reason: str, actor: str, today: date) -> None:
    filing.status = care_elsewhere.ENDED
    filing.ended_on = today
    filing.ended_by = actor
    filing.end_reason = reason


def _audit(
    session: Session, filing: CareElsewhereFiling, actor: str, action: str, **detail: str
) -> None:
    record_audit(
        session,
        TABLES,
        actor=actor,
        action=action,
        entity_type="care_elsewhere_filing",
        entity_id=filing.id,
        detail={"settlement_id": filing.settlement_id, "transfer_id": filing.entry_id, **detail},
    )
    session.flush()
