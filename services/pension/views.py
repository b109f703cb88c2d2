"""What pension shows: a settlement's follow-through and continuations, one continuation."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.pension import schemas
from services.pension.models import FOLLOW_THROUGH_TABLES, PensionContinuation, PensionSettlement
from services.pension.operations import load_settlement
from shared.db import columns_of
from shared.follow_through import state_of
from shared.identity import mask_id_number


def continuation_out(row: PensionContinuation) -> schemas.ContinuationOut:
    confirmation = None
    if row.confirmed_at is not None and row.confirmed_months is not None:
        confirmation = schemas.ConfirmationOut(
            months_carried_over=row.confirmed_months,
            origin_region_code=row.confirmed_origin_region_code or row.origin_region_code,
            reference=row.confirmation_reference,
            confirmed_at=row.confirmed_at,
            confirmed_by=row.confirmed_by or "",
        )
    # The row's columns, then what is worked out from them (the answer has no `id_number`).
    return schemas.ContinuationOut.model_validate(
        {
            **columns_of(row),
            "id_number_masked": mask_id_number(row.id_number),
            "confirmation": confirmation,
        }
    )


def settlement_out(session: Session, row: PensionSettlement) -> schemas.SettlementOut:
    return schemas.SettlementOut.model_validate(
        {
            **columns_of(row),
            # status, open items and version first, as every department answers them
            **state_of(session, FOLLOW_THROUGH_TABLES, row.settlement_id).model_dump(),
            "continuations": [continuation_out(c) for c in row.continuations],
        }
    )


def settlement_record(session: Session, settlement_id: str) -> schemas.SettlementOut:
    """The settlement as `GET /v1/settlements/{id}` answers it, or a 404."""
    return settlement_out(session, load_settlement(session, settlement_id))
