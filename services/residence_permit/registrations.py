"""Residence registration use cases, each inside the caller's unit of work: register, move,
end, read, and the registered residence a permit application counts (三(九)
"完善流动人口居住登记管理")."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.residence_permit import rules, schemas
from services.residence_permit.models import (
    TABLES,
    OpenRegistration,
    RegisteredAddress,
    ResidenceRegistration,
)
from services.residence_permit.refusals import refuse
from services.residence_permit.settled import refuse_a_settled_person
from shared import regions
from shared.audit import record_audit
from shared.db import columns_of, utcnow
from shared.errors import Conflict
from shared.identity import mask_id_number, parse_id_number
from shared.loading import Loader
from shared.pagination import PageRequest, fetch_page

_NEWEST_FIRST = (
    ResidenceRegistration.registered_on.desc(),
    ResidenceRegistration.created_at.desc(),
    ResidenceRegistration.id,
)


def register(
    session: Session, request: schemas.RegistrationIn, *, actor: str, today: date
) -> ResidenceRegistration:
    """Register a person's residence (居住登记, 广东省流动人口服务管理条例 第七条): one in force
    a person, and only for the floating population (第二条)."""
    refuse_a_settled_person(session, request.id_number, "residence is registered (居住登记)")
    registered_on = request.registered_on or today
    earlier = registrations_of(session, request.id_number)
    refusal = rules.refuse_registration(
        hukou_region_code=request.hukou_region_code,
        registered_on=registered_on,
        birth_date=parse_id_number(request.id_number).birth_date,
        previous_ended_on=max((r.ended_on for r in earlier if r.ended_on), default=None),
    )
    if refusal is not None:
        refuse(refusal, "the residence registration")
    held = session.get(OpenRegistration, request.id_number, with_for_update=True)
    if held is not None:
        raise Conflict(
            f"this person's residence is already registered ({held.registration_id}): a move is "
            f"registered as a move, POST .../{held.registration_id}/move",
            details=[
                {
                    "field": "id_number",
                    "reason": "one residence registration in force a person",
                    "registration_id": held.registration_id,
                }
            ],
        )
    registration = ResidenceRegistration(
        **request.model_dump(include={"id_number", "name", "hukou_region_code", "region_code"}),
        address=request.address,
        id=str(uuid.uuid4()),
        registered_on=registered_on,
        created_at=utcnow(),
        created_by=actor,
    )
    session.add(registration)
    session.flush()
    _add_address(session, registration, 0, registered_on, actor=actor)
    session.add(OpenRegistration(id_number=request.id_number, registration_id=registration.id))
    _audit(session, registration, "registration.registered", actor, since=registered_on)
    return load_registration(session, registration.id)


def move(
    session: Session,
    registration_id: str,
    request: schemas.MoveIn,
    *,
    actor: str,
    today: date,
) -> ResidenceRegistration:
    """Register a move within Shaoguan (居住变更登记, 第七条): the registration, and the residence
    it counts, run on."""
    moved_on = request.moved_on or today

    def to_new_address(registration: ResidenceRegistration) -> None:
        registration.region_code, registration.address = request.region_code, request.address
        _add_address(session, registration, len(registration.addresses), moved_on, actor=actor)

    return _change(
        session,
        registration_id,
        lambda stay: rules.refuse_move(
            stay, moved_on=moved_on, region_code=request.region_code, address=request.address
        ),
        to_new_address,
        Audited("moving", "registration.moved", actor, moved_on),
    )


def end(
    session: Session,
    registration_id: str,
    request: schemas.EndIn,
    *,
    actor: str,
    today: date,
) -> ResidenceRegistration:
    """End a registration: the person left. Registered residence stops the day they left."""
    ended_on = request.ended_on or today

    def closed(registration: ResidenceRegistration) -> None:
        registration.ended_on = ended_on
        held = session.get(OpenRegistration, registration.id_number, with_for_update=True)
        if held is not None:
            session.delete(held)

    return _change(
        session,
        registration_id,
        lambda stay: rules.refuse_end(stay, ended_on=ended_on),
        closed,
        Audited("ending", "registration.ended", actor, ended_on),
    )


@dataclass(frozen=True)
class Audited:
    """How a change is told: in a refusal (`doing`), and in the audit log (action, actor, day)."""

    doing: str
    action: str
    actor: str
    on: date


def _change(
    session: Session,
    registration_id: str,
    refusal_of: Callable[[rules.Stay], rules.Refusal | None],
    make: Callable[[ResidenceRegistration], None],
    audited: Audited,
) -> ResidenceRegistration:
    """Lock the registration, refuse what the rule refuses, make the change and audit it."""
    registration = load_registration(session, registration_id, for_update=True)
    refusal = refusal_of(stay_of(registration))
    if refusal is not None:
        what = f"{audited.doing} registration {registration.id}"
        refuse(refusal, what, registration_id=registration.id)
    make(registration)
    _audit(session, registration, audited.action, audited.actor, since=audited.on)
    return load_registration(session, registration.id)


def end_on_settlement(
    session: Session, id_number: str, *, settled_on: date, settlement_id: str, actor: str
) -> None:
    """A settled person is no floating population (广东省流动人口服务管理条例 第二条: 离开常住户口
    所在地): their registration in force ends on the day they settled (or on its last change,
    if later)."""
    held = session.get(OpenRegistration, id_number, with_for_update=True)
    if held is None:
        return
    registration = load_registration(session, held.registration_id, for_update=True)
    ended_on = max(settled_on, stay_of(registration).last_change)
    registration.ended_on = ended_on
    session.delete(held)
    ending = "registration.ended"
    _audit(session, registration, ending, actor, since=ended_on, settlement_id=settlement_id)


def _add_address(
    session: Session, registration: ResidenceRegistration, position: int, since: date, *, actor: str
) -> None:
    session.add(
        RegisteredAddress(
            registration_id=registration.id,
            position=position,
            since=since,
            region_code=registration.region_code,
            address=registration.address,
            recorded_at=utcnow(),
            recorded_by=actor,
        )
    )
    session.flush()


def _audit(
    session: Session,
    registration: ResidenceRegistration,
    action: str,
    actor: str,
    *,
    since: date,
    **detail: str,
) -> None:
    record_audit(
        session,
        TABLES,
        actor=actor,
        action=action,
        entity_type="residence_registration",
        entity_id=registration.id,
        detail={
            "person": mask_id_number(registration.id_number),
            "region_code": registration.region_code,
            "on": since.isoformat(),
            **detail,
        },
    )
    session.flush()


load_registration = Loader(
    ResidenceRegistration,
    ResidenceRegistration.id,
    "no residence registration {}",
    options=(selectinload(ResidenceRegistration.addresses),),
)
"""The registration with its addresses, read afresh; a 404 when there is none."""


def registrations_of(session: Session, id_number: str) -> list[ResidenceRegistration]:
    """Every registration of a person, newest first, with its addresses."""
    query = (
        select(ResidenceRegistration)
        .where(ResidenceRegistration.id_number == id_number)
        .options(selectinload(ResidenceRegistration.addresses))
        .order_by(*_NEWEST_FIRST)
    )
    return list(session.execute(query).scalars())


def list_registrations(
    session: Session, search: schemas.RegistrationSearchIn, *, page: PageRequest
) -> tuple[list[ResidenceRegistration], int]:
    """One page of the registrations that meet `search`, newest first, and how many do."""
    query = select(ResidenceRegistration)
    if search.id_number:
        query = query.where(ResidenceRegistration.id_number == search.id_number)
    if search.region_code:
        query = query.where(ResidenceRegistration.region_code == search.region_code)
    ordered = query.options(selectinload(ResidenceRegistration.addresses)).order_by(*_NEWEST_FIRST)
    return fetch_page(session, ordered, page)


def stay_of(registration: ResidenceRegistration) -> rules.Stay:
    return rules.Stay(
        registration_id=registration.id,
        registered_on=registration.registered_on,
        addresses=tuple(
            rules.Address(a.since, a.region_code, a.address) for a in registration.addresses
        ),
        ended_on=registration.ended_on,
    )


def registered_residence(
    session: Session, id_number: str, on: date
) -> rules.RegisteredResidence | None:
    """The person's registered residence on `on`, through their registrations (第二条)."""
    stays = tuple(stay_of(r) for r in registrations_of(session, id_number))
    return rules.registered_residence(stays, on)


def registration_out(registration: ResidenceRegistration, today: date) -> schemas.RegistrationOut:
    return schemas.RegistrationOut.model_validate(
        {
            **columns_of(registration),
            "in_force": stay_of(registration).in_force_on(today),
            "as_of": today,
            "region_name": regions.describe(registration.region_code),
            "addresses": [
                {**columns_of(a), "region_name": regions.describe(a.region_code)}
                for a in registration.addresses
            ],
        }
    )
