"""The rows a change of medical insurance's starts from: the settlement's lock, a transfer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.medical_insurance.models import FOLLOW_THROUGH_TABLES, MemberEntry
from shared.routes import load_one


def lock_case(session: Session, settlement_id: str) -> None:
    """Take the settlement's follow-through lock first, as every decision does, so a member's
    facts, the origin's answer, a filing and the information route never wait on each other
    crosswise."""
    cases = FOLLOW_THROUGH_TABLES.cases
    session.execute(
        select(cases.c.settlement_id)
        .where(cases.c.settlement_id == settlement_id)
        .with_for_update()
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
