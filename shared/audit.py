"""The append-only audit log every state change and handled event is written to (四(四))."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from shared.db import PlatformTables, utcnow


def record_audit(
    session: Session,
    tables: PlatformTables,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append an entry in the caller's transaction: it exists exactly when the change does."""
    session.execute(
        insert(tables.audit_log).values(
            at=utcnow(),
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            detail=detail or {},
        )
    )
