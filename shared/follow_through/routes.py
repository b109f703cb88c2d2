"""`POST /v1/settlements/{id}/information`: the one route every department takes facts by."""

# No `from __future__ import annotations`: the route's dependency is a local Annotated alias,
# which FastAPI must see evaluated.

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from shared.errors import Conflict, NotFound, error_responses
from shared.follow_through.facts import InformationIn
from shared.follow_through.kernel import FollowThrough, supply_information
from shared.routes import SettlementId, Write, v1_router, writing


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
