"""Residence permit routes: parse, authorise, run one operation in one unit of work, answer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.residence_permit import operations, rules, schemas, views
from services.residence_permit.config import ResidencePermitSettings
from services.residence_permit.models import TABLES
from services.residence_permit.settlements import settlement_out
from shared import regions
from shared.auth import Principal, require
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, error_responses
from shared.idempotency import run_idempotent, validate_key
from shared.identity import InvalidIdNumber, parse_id_number
from shared.parameters import ParameterSet
from shared.service import Runtime, RuntimeDep

router = APIRouter(prefix="/v1", tags=["residence permits"])

CanWrite = Annotated[Principal, Depends(require("permit:write"))]
CanRead = Annotated[Principal, Depends(require("permit:read"))]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
IdNumberQuery = Annotated[
    str, Query(description="18-character identity number (masked in the access log)")
]

_AUTH_ERRORS = (Forbidden,)


@cache
def _parameters() -> ParameterSet:
    return ResidencePermitSettings().parameter_set()


def _id_number(value: str, field: str = "id_number") -> str:
    try:
        return parse_id_number(value).value
    except InvalidIdNumber as exc:
        raise InvalidInput(
            f"{field} is not valid", details=[{"field": field, "reason": exc.reason}]
        ) from exc


def _idempotent_post(
    runtime: Runtime,
    principal: Principal,
    key: str | None,
    *,
    route: str,
    body: dict[str, Any],
    operation: Callable[[Session], tuple[int, Any]],
) -> JSONResponse:
    try:
        status_code, answer = run_idempotent(
            runtime.db,
            TABLES,
            dept=principal.dept,
            key=validate_key(key),
            route=route,
            body=body,
            operation=operation,
        )
    except IntegrityError as exc:
        # Two requests for one person raced past the check; the database kept one.
        raise Conflict(
            "another request changed this person's permits at the same time; read them and "
            "try again"
        ) from exc
    return JSONResponse(answer, status_code=status_code)


@router.post(
    "/residence-permits",
    status_code=201,
    response_model=schemas.PermitOut,
    summary="Apply for a residence permit; issued at once for a year, or refused with the reason",
    responses=error_responses(InvalidInput, Conflict, *_AUTH_ERRORS),
)
def apply_for_residence_permit(
    request: schemas.PermitApplicationIn,
    principal: CanWrite,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    def issue(session: Session) -> tuple[int, Any]:
        today = date.today()
        permit = operations.issue_permit(
            session, request, actor=principal.actor, today=today, parameters=_parameters()
        )
        return 201, schemas.dump(views.permit_out(permit, today))

    return _idempotent_post(
        runtime,
        principal,
        idempotency_key,
        route="POST /v1/residence-permits",
        body=request.model_dump(mode="json"),
        operation=issue,
    )


@router.get(
    "/residence-permits",
    response_model=schemas.Page,
    summary="Search by identity number, or list a county's permits by status (newest first)",
    responses=error_responses(InvalidInput, *_AUTH_ERRORS),
)
def list_residence_permits(
    principal: CanRead,
    runtime: RuntimeDep,
    id_number: Annotated[str | None, Query(description="masked in the access log")] = None,
    region_code: str | None = None,
    status: rules.PermitStatus | None = Query(None, description="valid | lapsed | closed, today"),
    page: Annotated[int, Query(ge=1)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
) -> schemas.Page:
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
    today = date.today()
    with runtime.db.read_only() as session:
        items, total = operations.list_permits(
            session, filters, today=today, page=page, page_size=page_size
        )
        return schemas.Page(
            items=[views.permit_out(p, today) for p in items],
            total=total,
            page=page,
            page_size=page_size,
        )


@router.get(
    "/residence-permits/{permit_id}",
    response_model=schemas.PermitOut,
    responses=error_responses(NotFound, *_AUTH_ERRORS),
)
def get_residence_permit(
    permit_id: str, principal: CanRead, runtime: RuntimeDep
) -> schemas.PermitOut:
    with runtime.db.read_only() as session:
        return views.permit_out(operations.load_permit(session, permit_id), date.today())


@router.post(
    "/residence-permits/{permit_id}/endorsements",
    status_code=201,
    response_model=schemas.EndorsedOut,
    summary="The yearly endorsement (签注): on time it extends the year; late it restores use",
    responses=error_responses(InvalidInput, NotFound, Conflict, *_AUTH_ERRORS),
)
def endorse_residence_permit(
    permit_id: str,
    request: schemas.EndorsementIn,
    principal: CanWrite,
    runtime: RuntimeDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    def endorse(session: Session) -> tuple[int, Any]:
        today = date.today()
        permit, endorsement = operations.endorse_permit(
            session,
            permit_id,
            request,
            actor=principal.actor,
            today=today,
            parameters=_parameters(),
        )
        endorsed = schemas.EndorsedOut(
            endorsement=views.endorsement_out(endorsement), permit=views.permit_out(permit, today)
        )
        return 201, schemas.dump(endorsed)

    return _idempotent_post(
        runtime,
        principal,
        idempotency_key,
        route=f"POST /v1/residence-permits/{permit_id}/endorsements",
        body=request.model_dump(mode="json"),
        operation=endorse,
    )


@router.get(
    "/residence-permits/{permit_id}/entitlements",
    response_model=schemas.PermitEntitlementsOut,
    tags=["entitlements"],
    summary="The basic public services and conveniences the permit gives today (三(九))",
    responses=error_responses(NotFound, *_AUTH_ERRORS),
)
def list_permit_entitlements(
    permit_id: str, principal: CanRead, runtime: RuntimeDep
) -> schemas.PermitEntitlementsOut:
    with runtime.db.read_only() as session:
        return views.entitlements_out(operations.load_permit(session, permit_id), date.today())


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
    responses=error_responses(InvalidInput, *_AUTH_ERRORS),
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
    today = date.today()
    with runtime.db.read_only() as session:
        answer = operations.check_entitlement(session, number, entitlement, today=today)
        return views.answer_out(answer, today)


@router.get(
    "/residence-history",
    response_model=schemas.ResidenceHistoryOut,
    tags=["evidence"],
    summary="A person's permits with residence start, county and unbroken periods (for hukou)",
    responses=error_responses(InvalidInput, *_AUTH_ERRORS),
)
def get_residence_history(
    principal: CanRead, runtime: RuntimeDep, id_number: IdNumberQuery
) -> schemas.ResidenceHistoryOut:
    number = _id_number(id_number)
    with runtime.db.read_only() as session:
        return views.residence_history(session, number, today=date.today())


@router.get(
    "/settlements/{settlement_id}",
    response_model=schemas.SettlementOut,
    tags=["settlements"],
    summary="The permits closed because their holders settled; 404 until acted on",
    responses=error_responses(NotFound, *_AUTH_ERRORS),
)
def get_settlement(
    settlement_id: str, principal: CanRead, runtime: RuntimeDep
) -> schemas.SettlementOut:
    with runtime.db.read_only() as session:
        return settlement_out(session, settlement_id)
