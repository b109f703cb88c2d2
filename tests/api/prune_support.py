"""What the `luohu prune` tests share: housing's tables, a 30 days' policy and the days around
it, and small helpers to count, store and publish."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.housing.app import SPEC as HOUSING
from shared import clock
from shared.db import Database, PlatformTables
from shared.events.envelope import CloudEvent, new_event
from shared.idempotency import KeyedRequest, remember
from shared.registry import SETTLEMENT_APPROVED
from shared.retention import Pruned, RetentionPolicy

TABLES: PlatformTables = HOUSING.tables
THIRTY = RetentionPolicy(outbox_days=30, inbox_days=30, idempotency_days=30, event_days=30)
TODAY = clock.today()
LATER = TODAY + timedelta(days=31)  # what was stamped today is past 30 days' retention then
NOT_YET = TODAY + timedelta(days=30)  # ... and still within it here


def rows(db: Database, table: Any, *where: Any) -> int:
    with db.read_only() as session:
        return int(session.scalar(select(func.count()).select_from(table).where(*where)) or 0)


def counts(pruned: list[Pruned]) -> dict[str, int]:
    return {p.table: p.rows for p in pruned}


def store_key(session: Session, key: str) -> None:
    """Housing's stored answer to a request under `key`."""
    request = KeyedRequest("housing", key, "/v1/x", "h")
    remember(session, TABLES, request, status_code=201, response={})


def nothing_waits(consumer: str) -> int:
    return 0


def event(n: int, type_: str = SETTLEMENT_APPROVED) -> CloudEvent:
    return new_event(type_=type_, source="/tests/prune", subject=f"settlement-{n}", data={"n": n})
