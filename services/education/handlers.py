"""Education's follow-through: an approved settlement has its children placed (三(八)), again
whenever a fact, a parameter or a transfer's completion it waits on arrives."""

from __future__ import annotations

from typing import get_args

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.education import operations, schemas, views
from services.education.models import FOLLOW_THROUGH_TABLES
from services.education.rules import PARAMETERS, SCHOOLING_FACT, Schooling
from shared.follow_through import FactField, FollowThrough, decide_again


def record_completion(
    session: Session, transfer_id: str, completion: schemas.CompletionIn, *, actor: str
) -> schemas.TransferOut:
    """The receiving side confirms a student-status transfer: it is completed, and the
    settlement is decided again in the same unit of work, so its open item closes."""
    transfer = operations.complete_transfer(session, transfer_id, completion, actor=actor)
    cases = FOLLOW_THROUGH_TABLES.cases
    followed = session.execute(
        select(cases.c.settlement_id).where(cases.c.settlement_id == transfer.settlement_id)
    ).first()
    # A transfer requested before education followed settlements through has no case to decide.
    if followed is not None:
        decide_again(
            session, FOLLOW_THROUGH, transfer.settlement_id, trigger="confirmation", actor=actor
        )
    return views.transfer_out(transfer)


# hukou.settlement.approved → operations.decide (the kernel keeps the case, the open items,
# the audit and `education.settlement.processed` in the same transaction).
FOLLOW_THROUGH = FollowThrough(
    service="education",
    records=FOLLOW_THROUGH_TABLES,
    decide=operations.decide,
    record=views.settlement_out,
    facts=(
        FactField(
            SCHOOLING_FACT,
            Schooling,
            True,
            "what a minor applicant attends: " + ", ".join(get_args(Schooling)),
        ),
    ),
    parameters=PARAMETERS,
)
