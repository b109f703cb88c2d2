"""`Idempotency-Key` for POSTs that create: the same key and body answer the first answer again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.db import Database, PlatformTables, utcnow
from shared.errors import Conflict, InvalidInput


class StoredResponse:
    def __init__(self, status_code: int, body: Any) -> None:
        self.status_code = status_code
        self.body = body


def request_hash(body: Any) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate_key(key: str | None) -> str | None:
    if key is not None and not (1 <= len(key) <= 200):
        raise InvalidInput(
            "Idempotency-Key must be 1 to 200 characters",
            details=[{"field": "Idempotency-Key", "reason": "must be 1 to 200 characters"}],
        )
    return key


def replay(
    session: Session,
    tables: PlatformTables,
    *,
    dept: str,
    key: str | None,
    route: str,
    body_hash: str,
) -> StoredResponse | None:
    """The first answer for this key, or None; a different body under the key is a 409."""
    if key is None:
        return None
    table = tables.idempotency_keys
    row = session.execute(
        select(table.c.route, table.c.request_hash, table.c.status_code, table.c.response).where(
            table.c.dept == dept, table.c.key == key
        )
    ).one_or_none()
    if row is None:
        return None
    if row.route != route or row.request_hash != body_hash:
        raise Conflict(
            "this Idempotency-Key was used before with a different request",
            details=[{"field": "Idempotency-Key", "reason": "already used for another request"}],
        )
    return StoredResponse(row.status_code, row.response)


def remember(
    session: Session,
    tables: PlatformTables,
    *,
    dept: str,
    key: str | None,
    route: str,
    body_hash: str,
    status_code: int,
    response: Any,
) -> None:
    """Store the answer in the same transaction as the effect, so both exist or neither."""
    if key is None:
        return
    session.execute(
        insert(tables.idempotency_keys).values(
            dept=dept,
            key=key,
            route=route,
            request_hash=body_hash,
            status_code=status_code,
            response=response,
            created_at=utcnow(),
        )
    )


def run_idempotent(
    db: Database,
    tables: PlatformTables,
    *,
    dept: str,
    key: str | None,
    route: str,
    body: Any,
    operation: Callable[[Session], tuple[int, Any]],
) -> tuple[int, Any]:
    """Run `operation` in one unit of work unless `key` already has an answer.

    A uniqueness race (two requests with one key, or two creating the same unique thing at
    once) fails the loser's commit; it then answers what the winner stored, or runs once
    more and meets the winner's rows like any later request would.
    """
    body_hash = request_hash(body)
    for attempt in (1, 2):
        try:
            with db.unit_of_work() as session:
                stored = replay(
                    session, tables, dept=dept, key=key, route=route, body_hash=body_hash
                )
                if stored is not None:
                    return stored.status_code, stored.body
                status_code, response = operation(session)
                remember(
                    session,
                    tables,
                    dept=dept,
                    key=key,
                    route=route,
                    body_hash=body_hash,
                    status_code=status_code,
                    response=response,
                )
                return status_code, response
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
