"""Residence registration routes (居住登记, 三(九)): register, move, end, read, search."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from services.residence_permit import registrations, schemas
from services.residence_permit.api import Reading, Writing
from services.residence_permit.models import ResidenceRegistration
from shared import clock
from shared.errors import Conflict, NotFound, error_responses
from shared.pagination import Paging, page_of
from shared.routes import Write, v1_router

router = v1_router("residence registrations")
REGISTRATIONS = "/residence-registrations"


def _written(
    write: Write,
    request: BaseModel,
    change: Callable[..., ResidenceRegistration],
    *ids: str,
) -> JSONResponse:
    """One unit of work: `change(session, *ids, request, actor=, today=)`, answered with the
    registration as it now is."""

    def answer(session: Session) -> schemas.RegistrationOut:
        today = clock.today()
        changed = change(session, *ids, request, actor=write.actor, today=today)
        return registrations.registration_out(changed, today)

    return write(request, answer)


@router.post(
    REGISTRATIONS,
    status_code=201,
    response_model=schemas.RegistrationOut,
    summary="Register the residence of one of the floating population (居住登记); one in force "
    "a person",
    responses=error_responses(Conflict),
)
def register_residence(request: schemas.RegistrationIn, write: Writing) -> JSONResponse:
    return _written(write, request, registrations.register)


@router.post(
    REGISTRATIONS + "/{registration_id}/move",
    status_code=201,
    response_model=schemas.RegistrationOut,
    summary="Register a move to another address in Shaoguan (居住变更登记); residence runs on",
    responses=error_responses(NotFound, Conflict),
)
def move_residence(registration_id: str, request: schemas.MoveIn, write: Writing) -> JSONResponse:
    return _written(write, request, registrations.move, registration_id)


@router.post(
    REGISTRATIONS + "/{registration_id}/end",
    response_model=schemas.RegistrationOut,
    summary="End a registration: the person left; registered residence stops that day",
    responses=error_responses(NotFound, Conflict),
)
def end_residence(registration_id: str, request: schemas.EndIn, write: Writing) -> JSONResponse:
    return _written(write, request, registrations.end, registration_id)


@router.post(
    REGISTRATIONS + "/search",
    summary="Registrations by person and county, newest first; the identity number travels "
    "in the body, never in a URL",
)
def search_registrations(
    search: schemas.RegistrationSearchIn, session: Reading, paging: Paging
) -> schemas.RegistrationPage:
    today = clock.today()
    found, total = registrations.list_registrations(session, search, page=paging)
    return page_of([registrations.registration_out(r, today) for r in found], total, paging)


@router.get(REGISTRATIONS + "/{registration_id}", responses=error_responses(NotFound))
def get_registration(registration_id: str, session: Reading) -> schemas.RegistrationOut:
    return registrations.registration_out(
        registrations.load_registration(session, registration_id), clock.today()
    )
