"""Residence permit routes: parse, authorise, run one operation in one unit of work, answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from services.residence_permit import operations, rules, schemas, views
from services.residence_permit.config import PARAMETERS
from services.residence_permit.models import ResidencePermit
from services.residence_permit.settlements import settlement_out
from shared import clock, regions
from shared.auth import Principal, require
from shared.errors import Conflict, InvalidInput, NotFound, error_responses
from shared.identity import InvalidIdNumber, parse_id_number
from shared.pagination import LAST_PAGE, PageRequest, page_of
from shared.routes import IdempotencyKey, create_idempotently, v1_router
from shared.service import Runtime, RuntimeDep

router = v1_router("residence permits")
Shown = TypeVar("Shown")

CanWrite = Annotated[Principal, Depends(require("permit:write"))]
CanRead = Annotated[Principal, Depends(require("permit:read"))]
IdNumberQuery = Annotated[
    str, Query(description="18-character identity number (masked in the access log)")
]


def _page_request(
    page: Annotated[int, Query(ge=1, le=LAST_PAGE, description="counted from 1")] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> PageRequest:
    """`shared.pagination.Paging` (50 a page, at most 200) until the kernel's can be used: its
    `le=max_size` names a local variable FastAPI cannot resolve under `from __future__ import
    annotations`, so a paged request and /openapi.json would answer 500."""
    return PageRequest(page=page, page_size=page_size)


Paging = Annotated[PageRequest, Depends(_page_request)]


def _show_permit(
    runtime: Runtime, permit_id: str, show: Callable[[ResidencePermit, date], Shown]
) -> Shown:
    """One permit as `show` renders it today: a 404 when there is none."""
    with runtime.db.read_only() as session:
        return show(operations.load_permit(session, permit_id), clock.today())


def _id_number(value: str, field: str = "id_number") -> str:
    try:
        return parse_id_number(value).value
    except InvalidIdNumber as exc:
        raise InvalidInput(
            f"{field} is not valid", details=[{"field": field, "reason": exc.reason}]
        ) from exc


@router.post(
    "/residence-permits",
    status_code=201,
    response_model=schemas.PermitOut,
    summary="Apply for a residence permit; issued at once for a year, or refused with the reason",
    responses=error_responses(Conflict),
)
def apply_for_residence_permit(
    request: schemas.PermitApplicationIn,
    principal: CanWrite,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    def issue(session: Session) -> tuple[int, Any]:
        today = clock.today()
        permit = operations.issue_permit(
            session, request, actor=principal.actor, today=today, parameters=PARAMETERS.current()
        )
        return 201, schemas.dump(views.permit_out(permit, today))

    return create_idempotently(
        runtime,
        principal,
        key=idempotency_key,
        route="POST /v1/residence-permits",
        body=request.model_dump(mode="json"),
        operation=issue,
    )


@router.get(
    "/residence-permits",
    response_model=schemas.PermitPage,
    summary="Search by identity number, or list a county's permits by status (newest first)",
)
def list_residence_permits(
    principal: CanRead,
    runtime: RuntimeDep,
    paging: Paging,
    id_number: Annotated[str | None, Query(description="masked in the access log")] = None,
    region_code: str | None = None,
    status: rules.PermitStatus | None = Query(None, description="valid | lapsed | closed, today"),
) -> schemas.PermitPage:
    if region_code is not None and not regions.is_shaoguan_county(region_code):
        raise InvalidInput(
            "region_code is not a county of Shaoguan",
            details=[{"field": "region_code", "reason": "not a county or district of Shaoguan"}],
        )
    filters = operations.PermitFilter(
        id_number=_id_number(id_number) if id_number is not None else None,
        region_code=region_code,
        status=status,
    )
    today = clock.today()
    with runtime.db.read_only() as session:
        permits, total = operations.list_permits(session, filters, today=today, page=paging)
        return page_of([views.permit_out(p, today) for p in permits], total, paging)


@router.get(
    "/residence-permits/{permit_id}",
    response_model=schemas.PermitOut,
    responses=error_responses(NotFound),
)
def get_residence_permit(
    permit_id: str, principal: CanRead, runtime: RuntimeDep
) -> schemas.PermitOut:
    return _show_permit(runtime, permit_id, views.permit_out)


@router.post(
    "/residence-permits/{permit_id}/endorsements",
    status_code=201,
    response_model=schemas.EndorsedOut,
    summary="The yearly endorsement (签注): on time it extends the year; late it restores use",
    responses=error_responses(NotFound, Conflict),
)
def endorse_residence_permit(
    permit_id: str,
    request: schemas.EndorsementIn,
    principal: CanWrite,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    def endorse(session: Session) -> tuple[int, Any]:
        today = clock.today()
        permit, endorsement = operations.endorse_permit(
            session,
            permit_id,
            request,
            actor=principal.actor,
            today=today,
            parameters=PARAMETERS.current(),
        )
        endorsed = schemas.EndorsedOut(
            endorsement=views.endorsement_out(endorsement), permit=views.permit_out(permit, today)
        )
        return 201, schemas.dump(endorsed)

    return create_idempotently(
        runtime,
        principal,
        key=idempotency_key,
        route=f"POST /v1/residence-permits/{permit_id}/endorsements",
        body=request.model_dump(mode="json"),
        operation=endorse,
    )


@router.get(
    "/residence-permits/{permit_id}/entitlements",
    response_model=schemas.PermitEntitlementsOut,
    tags=["entitlements"],
    summary="The basic public services and conveniences the permit gives today (三(九))",
    responses=error_responses(NotFound),
)
def list_permit_entitlements(
    permit_id: str, principal: CanRead, runtime: RuntimeDep
) -> schemas.PermitEntitlementsOut:
    return _show_permit(runtime, permit_id, views.entitlements_out)


@router.get(
    "/entitlements",
    response_model=list[schemas.EntitlementOut],
    tags=["entitlements"],
    summary="Every service a valid permit entitles to, with the id the check takes",
)
def list_entitlements(principal: CanRead) -> list[schemas.EntitlementOut]:
    return [views.entitlement_out(e) for e in rules.ENTITLEMENTS]


@router.get(
    "/entitlements/check",
    response_model=schemas.EntitlementCheckOut,
    tags=["entitlements"],
    summary="May this person have this service as a residence permit holder today?",
)
def check_entitlement(
    principal: CanRead,
    runtime: RuntimeDep,
    id_number: IdNumberQuery,
    service: Annotated[str, Query(description="an entitlement id: GET /v1/entitlements")],
) -> schemas.EntitlementCheckOut:
    number = _id_number(id_number)
    entitlement = rules.BY_ID.get(service)
    if entitlement is None:
        known = ", ".join(rules.BY_ID)
        raise InvalidInput(
            f"service {service!r} is not an entitlement",
            details=[{"field": "service", "reason": f"not an entitlement; one of: {known}"}],
        )
    today = clock.today()
    with runtime.db.read_only() as session:
        answer = operations.check_entitlement(session, number, entitlement, today=today)
        return views.answer_out(answer, today)


@router.get(
    "/residence-history",
    response_model=schemas.ResidenceHistoryOut,
    tags=["evidence"],
    summary="A person's permits with residence start, county and unbroken periods (for hukou)",
)
def get_residence_history(
    principal: CanRead, runtime: RuntimeDep, id_number: IdNumberQuery
) -> schemas.ResidenceHistoryOut:
    number = _id_number(id_number)
    with runtime.db.read_only() as session:
        return views.residence_history(session, number, today=clock.today())


@router.get(
    "/settlements/{settlement_id}",
    response_model=schemas.SettlementOut,
    tags=["settlements"],
    summary="The permits closed because their holders settled; 404 until acted on",
    responses=error_responses(NotFound),
)
def get_settlement(
    settlement_id: str, principal: CanRead, runtime: RuntimeDep
) -> schemas.SettlementOut:
    with runtime.db.read_only() as session:
        return settlement_out(session, settlement_id)
