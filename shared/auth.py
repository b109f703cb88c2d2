"""Department tokens: signed JWTs carrying `dept` and `scope`, and the per-route requirement."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.errors import Forbidden, Unauthenticated
from shared.registry import DEPARTMENT_SCOPES
from shared.settings import Settings

ALGORITHM = "HS256"


@dataclass(frozen=True)
class Principal:
    """The department system behind a request."""

    dept: str
    scopes: frozenset[str]
    token_id: str

    @property
    def actor(self) -> str:
        return f"dept:{self.dept}"


def issue_token(
    settings: Settings,
    *,
    dept: str,
    scopes: Iterable[str] | None = None,
    lifetime: int | None = None,
) -> str:
    """Sign a token for `dept`; scopes default to everything the department may do."""
    allowed = DEPARTMENT_SCOPES.get(dept)
    if allowed is None:
        known = ", ".join(sorted(DEPARTMENT_SCOPES))
        raise ValueError(f"unknown department {dept!r}; known: {known}")
    wanted = frozenset(scopes) if scopes is not None else allowed
    if not wanted <= allowed:
        extra = ", ".join(sorted(wanted - allowed))
        raise ValueError(f"department {dept} may not hold scope(s): {extra}")
    now = int(time.time())
    claims = {
        "iss": settings.jwt_issuer,
        "sub": dept,
        "dept": dept,
        "scope": " ".join(sorted(wanted)),
        "iat": now,
        "exp": now + (settings.token_lifetime_seconds if lifetime is None else lifetime),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=ALGORITHM)


def decode_token(settings: Settings, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[ALGORITHM],
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "dept", "scope"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("the token has expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"the token is not valid: {exc}") from exc
    dept = str(claims["dept"])
    if dept not in DEPARTMENT_SCOPES:
        raise Unauthenticated(f"the token names an unknown department {dept!r}")
    scopes = frozenset(str(claims["scope"]).split()) & DEPARTMENT_SCOPES[dept]
    return Principal(dept=dept, scopes=scopes, token_id=str(claims.get("jti", "")))


_bearer = HTTPBearer(auto_error=False, description="A department token: `luohu token --dept ...`")

PRINCIPAL_KEY = "luohu.principal"
"""Where `shared.limits.RequestGuard` leaves the principal it authenticated in the ASGI scope."""


def authenticate(request: Request) -> Principal:
    """The department behind `request`'s `Authorization: Bearer` token, or Unauthenticated.

    Reads headers only: the request guard calls it before anything reads the body.
    """
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send `Authorization: Bearer <token>`")
    settings: Settings = request.app.state.settings
    return decode_token(settings, token.strip())


def current_principal(
    request: Request,
    _: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    # `_bearer` only documents the scheme in the OpenAPI document; the guard has already
    # authenticated every /v1 request, before its body was read.
    principal = request.scope.get(PRINCIPAL_KEY)
    return principal if isinstance(principal, Principal) else authenticate(request)


def require(*scopes: str) -> Callable[..., Principal]:
    """A dependency that lets a request through when its token holds any of `scopes`."""

    def _check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.scopes & set(scopes):
            needed = " or ".join(scopes)
            raise Forbidden(f"department {principal.dept} may not do this: it needs scope {needed}")
        return principal

    return _check
