"""A settlement's open items, as a department's follow-through tables keep them: read, matched
against a decision's gaps, and answered with the case's status."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from shared.db import utcnow
from shared.errors import NotFound
from shared.follow_through.model import (
    PARAMETER_PREFIX,
    FollowThroughOut,
    FollowThroughTables,
    Gap,
    OpenItemOut,
)


def state_of(
    session: Session, records: FollowThroughTables, settlement_id: str
) -> FollowThroughOut:
    """The department's status and open items for one settlement, or a 404."""
    cases = records.cases
    case_row = session.execute(select(cases).where(cases.c.settlement_id == settlement_id)).first()
    if case_row is None:
        raise NotFound(f"the department has not acted on settlement {settlement_id}")
    return FollowThroughOut(
        settlement_id=settlement_id,
        status=case_row.status,
        open_items=open_items(session, records, settlement_id),
        version=case_row.version,
    )


def reconcile(
    session: Session,
    records: FollowThroughTables,
    settlement_id: str,
    version: int,
    gaps: Sequence[Gap],
    *,
    due_on: date | None,
) -> list[OpenItemOut]:
    """Keep the items whose gap remains, close those whose gap is gone, open the new ones (due
    on `due_on`), as decision `version` of the settlement found them; the items open now."""
    items = records.open_items
    now = utcnow()
    open_rows = {
        (row.member_index, row.field, row.kind): row
        for row in session.execute(
            select(items).where(items.c.settlement_id == settlement_id, items.c.closed_at.is_(None))
        ).all()
    }
    wanted = {gap.key: gap for gap in gaps}
    for key, row in open_rows.items():
        if key not in wanted:
            session.execute(
                update(items).where(items.c.id == row.id).values(closed_at=now, closed_in=version)
            )
        elif row.reason != wanted[key].reason:
            session.execute(
                update(items).where(items.c.id == row.id).values(reason=wanted[key].reason)
            )
    for key, gap in wanted.items():
        if key in open_rows:
            continue
        session.execute(
            insert(items).values(
                id=str(uuid.uuid4()),
                settlement_id=settlement_id,
                member_index=gap.member_index,
                field=gap.field,
                kind=gap.kind,
                reason=gap.reason,
                opened_at=now,
                opened_in=version,
                due_on=due_on,
            )
        )
    return open_items(session, records, settlement_id)


def open_items(
    session: Session, records: FollowThroughTables, settlement_id: str
) -> list[OpenItemOut]:
    """The settlement's open items, oldest first."""
    items = records.open_items
    rows = session.execute(
        select(items)
        .where(items.c.settlement_id == settlement_id, items.c.closed_at.is_(None))
        .order_by(items.c.opened_at, items.c.id)
    ).all()
    return [OpenItemOut.model_validate(row) for row in rows]


def open_fields(
    session: Session, records: FollowThroughTables, settlement_id: str, member_index: int | None
) -> set[str]:
    """The facts the open information items of one member (None: the household) ask for."""
    items = records.open_items
    whose = (
        items.c.member_index.is_(None)
        if member_index is None
        else items.c.member_index == member_index
    )
    rows = session.execute(
        select(items.c.field).where(
            items.c.settlement_id == settlement_id,
            items.c.closed_at.is_(None),
            items.c.kind == "information",
            whose,
        )
    ).scalars()
    return set(rows)


def open_parameter_names(
    session: Session, records: FollowThroughTables, settlement_id: str
) -> list[str]:
    """The parameters the settlement's open items wait on, by name."""
    items = records.open_items
    fields = session.execute(
        select(items.c.field).where(
            items.c.settlement_id == settlement_id,
            items.c.closed_at.is_(None),
            items.c.kind == "parameter",
        )
    ).scalars()
    return sorted({field.removeprefix(PARAMETER_PREFIX) for field in fields})


def waiting_on(items: Sequence[OpenItemOut]) -> list[str]:
    """The parameters `items` wait on, by name."""
    return sorted(
        {item.field.removeprefix(PARAMETER_PREFIX) for item in items if item.kind == "parameter"}
    )
