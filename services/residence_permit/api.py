"""Residence permit routes: parse, authorise, run one operation in one unit of work, answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from services.residence_permit import operations, rules, schemas, views
from services.residence_permit.handlers import FOLLOW_THROUGH
from services.residence_permit.rules import PARAMETERS
from shared import clock
from shared.auth import Principal, require
from shared.errors import Conflict, InvalidInput, NotFound, error_responses
from shared.fields import ShaoguanCounty
from shared.follow_through.routes import settlement_route
from shared.pagination import PageRequest, Paging, page_of
from shared.routes import Write, reading, v1_router, writing

router = v1_router("residence permits")

Writing = Annotated[Write, Depends(writing("permit:write"))]
Reading = Annotated[Session, Depends(reading("permit:read"))]
CanRead = Annotated[Principal, Depends(require("permit:read"))]


@router.post(
    "/residence-permits",
    status_code=201,
    response_model=schemas.PermitOut,
    summary="Apply for a residence permit; issued at once for a year, or refused with the reason",
    responses=error_responses(Conflict),
)
def apply_for_residence_permit(
    request: schemas.PermitApplicationIn, write: Writing
) -> JSONResponse:
    def issue(session: Session) -> schemas.PermitOut:
        today = clock.today()
        permit = operations.issue_permit(
            session, request, actor=write.actor, today=today, parameters=PARAMETERS.current()
        )
        return views.permit_out(permit, today)

    return write(request, issue)


@router.get(
    "/residence-permits",
    summary="List a county's permits by status (newest first); a person's: POST .../search",
)
def list_residence_permits(
    session: Reading,
    paging: Paging,
    region_code: ShaoguanCounty | None = None,
    status: rules.PermitStatus | None = Query(None, description="valid | lapsed | closed, today"),
) -> schemas.PermitPage:
    return _page_of_permits(
        session, operations.PermitFilter(region_code=region_code, status=status), paging
    )


@router.post(
    "/residence-permits/search",
    summary="Search by identity number (and county, status), newest first; the number travels "
    "in the body, never in a URL",
)
def search_residence_permits(
    search: schemas.PermitSearchIn, session: Reading, paging: Paging
) -> schemas.PermitPage:
    filters = operations.PermitFilter(
        id_number=search.id_number, region_code=search.region_code, status=search.status
    )
    return _page_of_permits(session, filters, paging)


def _page_of_permits(
    session: Session, filters: operations.PermitFilter, paging: PageRequest
) -> schemas.PermitPage:
    today = clock.today()
    permits, total = operations.list_permits(session, filters, today=today, page=paging)
    return page_of([views.permit_out(p, today) for p in permits], total, paging)


@router.get("/residence-permits/{permit_id}", responses=error_responses(NotFound))
def get_residence_permit(permit_id: str, session: Reading) -> schemas.PermitOut:
    return views.permit_out(operations.load_permit(session, permit_id), clock.today())


@router.post(
    "/residence-permits/{permit_id}/endorsements",
    status_code=201,
    response_model=schemas.EndorsedOut,
    summary="The yearly endorsement (签注): on time it extends the year; late it restores use",
    responses=error_responses(NotFound, Conflict),
)
def endorse_residence_permit(
    permit_id: str, request: schemas.EndorsementIn, write: Writing
) -> JSONResponse:
    def endorse(session: Session) -> schemas.EndorsedOut:
        today = clock.today()
        permit, endorsement = operations.endorse_permit(
            session,
            permit_id,
            request,
            actor=write.actor,
            today=today,
            parameters=PARAMETERS.current(),
        )
        return schemas.EndorsedOut(
            endorsement=views.endorsement_out(endorsement), permit=views.permit_out(permit, today)
        )

    return write(request, endorse)


@router.get(
    "/residence-permits/{permit_id}/entitlements",
    tags=["entitlements"],
    summary="The basic public services and conveniences the permit gives today (三(九))",
    responses=error_responses(NotFound),
)
def list_permit_entitlements(permit_id: str, session: Reading) -> schemas.PermitEntitlementsOut:
    return views.entitlements_out(operations.load_permit(session, permit_id), clock.today())


@router.get(
    "/entitlements",
    tags=["entitlements"],
    summary="Every service a valid permit entitles to, with the id the check takes",
)
def list_entitlements(principal: CanRead) -> list[schemas.EntitlementOut]:
    return [views.entitlement_out(e) for e in rules.ENTITLEMENTS]


@router.post(
    "/entitlements/check",
    tags=["entitlements"],
    summary="May this person have this service as a residence permit holder today? (the "
    "identity number in the body)",
)
def check_entitlement(
    check: schemas.EntitlementCheckIn, session: Reading
) -> schemas.EntitlementCheckOut:
    entitlement = rules.BY_ID.get(check.service)
    if entitlement is None:
        known = ", ".join(rules.BY_ID)
        raise InvalidInput(
            f"service {check.service!r} is not an entitlement",
            details=[{"field": "service", "reason": f"not an entitlement; one of: {known}"}],
        )
    today = clock.today()
    answer = operations.check_entitlement(session, check.id_number, entitlement, today=today)
    return views.answer_out(answer, today)


@router.post(
    "/residence-history",
    tags=["evidence"],
    summary="A person's permits with residence start, county and unbroken periods (for hukou; "
    "the identity number in the body)",
)
def get_residence_history(
    person: schemas.PersonIn, session: Reading
) -> schemas.ResidenceHistoryOut:
    return views.residence_history(session, person.id_number, today=clock.today())


# The settlement id is any text here, as it always was (no length checked).
settlement_route(
    router,
    FOLLOW_THROUGH,
    reading("permit:read"),
    tags=["settlements"],
    summary="The permits closed because their holders settled, with the status and open items "
    "first; 404 until acted on",
    id_in_path=Path(),
)
