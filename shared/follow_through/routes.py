"""The routes every department that follows settlements through serves alike:
`GET /v1/settlements/{id}`, its record of a settlement, and `POST .../information`, the one
route it takes facts by."""

# No `from __future__ import annotations`: the routes' parameters are annotated with local
# values (a dependency, a path declaration), which FastAPI must see evaluated.

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from shared.errors import Conflict, NotFound, error_responses
from shared.follow_through.facts import InformationIn
from shared.follow_through.kernel import FollowThrough, supply_information
from shared.routes import SETTLEMENT_ID, SettlementId, Write, v1_router, writing


def settlement_route(
    router: APIRouter,
    department: FollowThrough,
    reads: Callable[..., Session],
    *,
    summary: str,
    tags: Sequence[str] = (),
    id_in_path: Any = SETTLEMENT_ID,
) -> None:
    """Add `GET /v1/settlements/{settlement_id}` to the department's `router`: its record of the
    settlement (`department.record`, the answer the information route gives too), read through
    `reads` (`reading("<its read scope>")`); a 404 until it has acted on the settlement.

    `id_in_path` declares the settlement id as the department has always declared it (its
    checks and description), so the OpenAPI document stays the department's own."""

    @router.get(
        "/settlements/{settlement_id}",
        response_model=department.record_model,
        tags=list(tags),
        summary=summary,
        responses=error_responses(NotFound),
    )
    def get_settlement(
        settlement_id: Annotated[str, id_in_path], session: Annotated[Session, Depends(reads)]
    ) -> BaseModel:
        return department.record(session, settlement_id)


def information_router(department: FollowThrough) -> APIRouter:
    """The department's information route, guarded by its write scope."""
    router = v1_router("follow-through")
    writes = Annotated[Write, Depends(writing(department.write_scope))]
    known = ", ".join(f"`{fact.name}`" for fact in department.facts) or "none"

    @router.post(
        "/settlements/{settlement_id}/information",
        response_model=department.record_model,
        summary="Supply facts an open item asks for: the department decides again at once",
        description=(
            "The department checks each fact (a name it does not take or a value of the wrong "
            "type is a 422 naming it, and nothing is written), decides again, answers its "
            "record and publishes a new `settlement.processed`. A fact no open item asks for "
            f"is a 409. Facts this department takes: {known}."
        ),
        responses=error_responses(NotFound, Conflict),
    )
    def supply(
        settlement_id: SettlementId, information: InformationIn, write: writes
    ) -> JSONResponse:
        def decided(session: Session) -> BaseModel:
            supply_information(session, department, settlement_id, information, actor=write.actor)
            return department.record(session, settlement_id)

        return write(information, decided)

    return router
