"""What every department's /v1 routes share: the router, reading with a scope, writing
idempotently with a scope, finding a record."""

# No `from __future__ import annotations`: `reading` and `writing` build their dependencies on
# local Annotated aliases, which FastAPI must see evaluated.

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.base import ExecutableOption

from shared.auth import Principal, current_principal, require
from shared.errors import (
    BodyTooLarge,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
    error_responses,
)
from shared.idempotency import run_idempotent, validate_key
from shared.identity import mask_identity_numbers
from shared.service import Runtime, RuntimeDep

M = TypeVar("M")

ALWAYS = (Unauthenticated, Forbidden, BodyTooLarge, InvalidInput)
"""What any /v1 route may answer: no or bad token, a scope it lacks, a body over its limit,
input it refuses."""


def refuse_identity_numbers_in_url(
    request: Request, _: Annotated[Principal, Depends(current_principal)]
) -> None:
    """A 422 for a query that carries an identity number: a URL is written down by every
    proxy, log and trace on its way, so a person is looked up with a POST body instead.

    Checked after the token (no token is still a 401), for every parameter, known or not: a
    route that no longer takes `id_number` in its query must not answer as if unfiltered."""
    carrying = [
        name
        for name, value in request.query_params.multi_items()
        if mask_identity_numbers(value) != value or mask_identity_numbers(name) != name
    ]
    if carrying:
        raise InvalidInput(
            "identity numbers are never taken in a URL: send them in the body of the route's "
            "POST search",
            details=[
                {
                    "field": mask_identity_numbers(name),
                    "reason": "an identity number in a URL is refused; send it in a POST body",
                }
                for name in carrying
            ],
        )


def v1_router(*tags: str) -> APIRouter:
    """A department's /v1 routes; every one declares 401, 403, 413 and 422 in the OpenAPI
    document, and refuses an identity number in its query."""
    return APIRouter(
        prefix="/v1",
        tags=list(tags),
        responses=error_responses(*ALWAYS),
        dependencies=[Depends(refuse_identity_numbers_in_url)],
    )


SETTLEMENT_ID = Path(min_length=1, max_length=64)
SettlementId = Annotated[str, SETTLEMENT_ID]
"""A settlement's id in a route's path: the id of hukou's approved application."""


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="The same key and body answer the first answer again and create nothing new",
    ),
]


def read_session(runtime: RuntimeDep) -> Iterator[Session]:
    """A session for one request's reads; anything written in it is rolled back."""
    with runtime.db.read_only() as session:
        yield session


_ReadSession = Annotated[Session, Depends(read_session)]


def reading(*scopes: str) -> Callable[..., Session]:
    """The dependency of a route that reads with any of `scopes`: a session it owns (the
    route only reads), opened once the token is found to hold one (a 401 or 403 opens none)."""

    def read(_: Annotated[Principal, Depends(require(*scopes))], session: _ReadSession) -> Session:
        return session

    return read


def route_key(request: Request) -> str:
    """`POST /v1/...`: the method and the path of the resource `request` writes, each path
    parameter as the route takes it (a UUID spelled canonically, however the URL spells it).

    Under one `Idempotency-Key`, another resource is another request (a 409), not a replay."""
    route: APIRoute = request.scope["route"]
    values = dict(request.path_params)
    for field in route.dependant.path_params:
        # A value the route refuses is a 422 before anything is written: its key goes unused.
        values[field.alias], _ = field.validate(values[field.alias])
    return f"{request.method} {route.path_format.format_map(values)}"


@dataclass(frozen=True)
class Write:
    """A route's idempotent write: the runtime, the principal allowed to make it, its
    `Idempotency-Key`, the route the key is used on and the status the route declares."""

    runtime: Runtime
    principal: Principal
    key: str | None
    route: str
    status_code: int

    @property
    def actor(self) -> str:
        """Who the change is recorded as made by."""
        return self.principal.actor

    def __call__(
        self, request: BaseModel | None, answer: Callable[[Session], BaseModel]
    ) -> JSONResponse:
        """Run `answer` (the change, and what to answer about it) in one unit of work, once
        per `Idempotency-Key`: the same key and `request` again get the first answer, and
        create nothing."""
        stored_status, body = run_idempotent(
            self.runtime.db,
            self.runtime.spec.tables,
            dept=self.principal.dept,
            key=validate_key(self.key),
            route=self.route,
            body=request.model_dump(mode="json") if request is not None else None,
            operation=lambda session: (self.status_code, answer(session).model_dump(mode="json")),
        )
        return JSONResponse(body, status_code=stored_status)


def writing(*scopes: str) -> Callable[..., Write]:
    """The dependency of a route that writes idempotently with any of `scopes`; it takes the
    `Idempotency-Key` header, and answers the status the route declares (201 for a route that
    creates, 200 by default)."""

    def write(
        request: Request,
        principal: Annotated[Principal, Depends(require(*scopes))],
        runtime: RuntimeDep,
        idempotency_key: IdempotencyKey = None,
    ) -> Write:
        route: APIRoute = request.scope["route"]
        return Write(
            runtime, principal, idempotency_key, route_key(request), route.status_code or 200
        )

    return write


def load_one(
    session: Session,
    model: type[M],
    *criteria: ColumnElement[bool],
    not_found: str,
    for_update: bool = False,
    options: Sequence[ExecutableOption] = (),
) -> M:
    """The one `model` row meeting `criteria`, read afresh (and locked with `for_update`), or
    a 404 saying `not_found`."""
    query = (
        select(model)
        .where(*criteria)
        .options(*options)
        # A row changed earlier in this unit of work is read afresh, collections included.
        .execution_options(populate_existing=True)
    )
    if for_update:
        query = query.with_for_update()
    found = session.execute(query).scalar_one_or_none()
    if found is None:
        raise NotFound(not_found)
    return found
