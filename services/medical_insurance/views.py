"""What medical insurance shows: a settlement's entries with its status and open items, and
the transfers, the longest overdue first; each entry with the member's filings for care at the
origin."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_, not_, select
from sqlalchemy.orm import Session, selectinload

from services.medical_insurance import rules, schemas
from services.medical_insurance.care_elsewhere import filings_of
from services.medical_insurance.models import FOLLOW_THROUGH_TABLES, MemberEntry, SettlementRecord
from services.medical_insurance.rows import load_transfer
from shared import clock, regions
from shared.db import columns_of
from shared.follow_through import state_of
from shared.identity import mask_id_number
from shared.loading import Loader
from shared.pagination import Page, PageRequest, fetch_page, page_of

load_record = Loader(
    SettlementRecord,
    SettlementRecord.settlement_id,
    "medical insurance has not acted on settlement {}",
    options=(selectinload(SettlementRecord.entries),),
)


def settlement_out(session: Session, settlement_id: str, *, today: date) -> schemas.SettlementOut:
    """The settlement's status and open items first, then each member's entry."""
    record = load_record(session, settlement_id)
    filings = filings_of(session, [entry.id for entry in record.entries])
    used: dict[str, dict[str, Any]] = {}
    for entry in record.entries:
        for reference in entry.parameters:
            used.setdefault(json.dumps(reference, sort_keys=True), reference)
    return schemas.SettlementOut.model_validate(
        {
            **columns_of(record),
            **state_of(session, FOLLOW_THROUGH_TABLES, settlement_id).model_dump(),
            "clause": rules.CLAUSE,
            "entries": [
                entry_out(entry, today=today, filings=filings.get(entry.id, ()))
                for entry in record.entries
            ],
            "parameters": list(used.values()),
        }
    )


def settlement_record(session: Session, settlement_id: str) -> schemas.SettlementOut:
    """The settlement as `GET /v1/settlements/{id}` answers it today, or a 404."""
    return settlement_out(session, settlement_id, today=clock.today())


def entry_out(
    entry: MemberEntry, *, today: date, filings: Sequence[schemas.FilingOut] = ()
) -> schemas.EntryOut:
    """The entry as read: the identity number masked, the origin described, `overdue` as of
    `today`, the member's `filings` for care at the origin; every other field is the column of
    the same name (the rest are not shown)."""
    derived: dict[str, Any] = {
        "care_elsewhere_filings": list(filings),
        "entry_id": entry.id,
        "transfer_id": entry.id if entry.kind == "transfer" else None,
        "id_number_masked": mask_id_number(entry.id_number),
        "from_region": (
            regions.describe(entry.from_region_code) if entry.from_region_code else None
        ),
        "overdue": rules.is_overdue(entry.status, entry.confirmation_deadline, today),
    }
    return schemas.EntryOut.model_validate({**columns_of(entry), **derived})


def entry_read(session: Session, entry: MemberEntry, *, today: date) -> schemas.EntryOut:
    """One entry as read, with its filings."""
    return entry_out(entry, today=today, filings=filings_of(session, [entry.id]).get(entry.id, ()))


def transfer_out(session: Session, transfer_id: str, *, today: date) -> schemas.EntryOut:
    return entry_read(session, load_transfer(session, transfer_id), today=today)


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
    filings = filings_of(session, [entry.id for entry in entries])
    return page_of(
        [entry_out(entry, today=today, filings=filings.get(entry.id, ())) for entry in entries],
        total,
        page,
    )
