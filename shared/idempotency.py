"""`Idempotency-Key` for POSTs that create: the same key and body answer the first answer again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.db import Database, PlatformTables, utcnow
from shared.errors import Conflict, InvalidInput


@dataclass(frozen=True)
class StoredResponse:
    """The answer first given under a key, to be given again."""

    status_code: int
    body: Any


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


@dataclass(frozen=True)
class KeyedRequest:
    """A request under an `Idempotency-Key`: the key within its department, and the route and
    body hash the key's first answer was given for."""

    dept: str
    key: str
    route: str
    body_hash: str


def replay(
    session: Session, tables: PlatformTables, request: KeyedRequest
) -> StoredResponse | None:
    """The first answer for this key, or None; a different body under the key is a 409."""
    table = tables.idempotency_keys
    row = session.execute(
        select(table.c.route, table.c.request_hash, table.c.status_code, table.c.response).where(
            table.c.dept == request.dept, table.c.key == request.key
        )
    ).one_or_none()
    if row is None:
        return None
    if row.route != request.route or row.request_hash != request.body_hash:
        raise Conflict(
            "this Idempotency-Key was used before with a different request",
            details=[{"field": "Idempotency-Key", "reason": "already used for another request"}],
        )
    return StoredResponse(row.status_code, row.response)


def remember(
    session: Session,
    tables: PlatformTables,
    request: KeyedRequest,
    *,
    status_code: int,
    response: Any,
) -> None:
    """Store the answer in the same transaction as the effect, so both exist or neither."""
    session.execute(
        insert(tables.idempotency_keys).values(
            dept=request.dept,
            key=request.key,
            route=request.route,
            request_hash=request.body_hash,
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
    attempts: int = 3,
) -> tuple[int, Any]:
    """Run `operation` in one unit of work unless `key` already has an answer.

    A uniqueness race (two requests with one key, or two creating the same unique thing at
    once, such as a county's next queue number) fails the loser's commit; it then runs again
    and answers what the winner stored, or meets the winner's rows like any later request.
    """
    # Without a key there is nothing to answer again, and nothing to keep.
    keyed = None if key is None else KeyedRequest(dept, key, route, request_hash(body))
    for attempt in range(1, attempts + 1):
        try:
            with db.unit_of_work() as session:
                stored = replay(session, tables, keyed) if keyed is not None else None
                if stored is not None:
                    return stored.status_code, stored.body
                status_code, response = operation(session)
                if keyed is not None:
                    remember(session, tables, keyed, status_code=status_code, response=response)
                return status_code, response
        except IntegrityError:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")
