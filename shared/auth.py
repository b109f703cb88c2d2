"""Department tokens: JWTs a department's own key signs (EdDSA), carrying `dept`, `scope` and
optionally the `officer` who acts, and the per-route requirement."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.errors import Forbidden, Unauthenticated
from shared.keys import ALGORITHM, Keyring, SigningKey, keyring_for
from shared.registry import DEPARTMENT_SCOPES
from shared.settings import MAX_TOKEN_LIFETIME_SECONDS, Settings

AUDIENCE = "luohu"
LEEWAY_SECONDS = 30  # clocks of different bureaus' machines disagree a little
REQUIRED_CLAIMS = ["iss", "aud", "iat", "exp", "jti", "dept", "scope"]

OFFICER_CLAIM = "officer"
"""The optional claim naming the officer who acts: a staff number, never a person's name."""
OFFICER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


@dataclass(frozen=True)
class Principal:
    """The department system behind a request, and the officer acting when the token names one."""

    dept: str
    scopes: frozenset[str]
    token_id: str
    officer: str | None = None

    @property
    def actor(self) -> str:
        """Who a change is recorded as made by: the department, and its officer when named."""
        if self.officer is None:
            return f"dept:{self.dept}"
        return f"dept:{self.dept}/officer:{self.officer}"


def valid_officer(officer: str) -> str:
    """`officer` when it is a staff number (1 to 40 letters, digits, `.`, `_`, `-`)."""
    if not OFFICER_ID.fullmatch(officer):
        raise ValueError(
            "an officer is named by a staff number: 1 to 40 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return officer


def sign_token(
    key: SigningKey,
    *,
    scopes: Iterable[str] | None = None,
    lifetime: int | None = None,
    officer: str | None = None,
) -> str:
    """A token of `key`'s department signed with it; scopes default to everything the
    department may do, the lifetime to the longest allowed (8 hours); `officer` names the
    officer who acts with it (needed to decide a review, 复核)."""
    dept = key.dept
    allowed = DEPARTMENT_SCOPES.get(dept)
    if allowed is None:
        known = ", ".join(sorted(DEPARTMENT_SCOPES))
        raise ValueError(f"unknown department {dept!r}; known: {known}")
    wanted = frozenset(scopes) if scopes is not None else allowed
    if not wanted <= allowed:
        extra = ", ".join(sorted(wanted - allowed))
        raise ValueError(f"department {dept} may not hold scope(s): {extra}")
    lifetime = MAX_TOKEN_LIFETIME_SECONDS if lifetime is None else lifetime
    if not 0 < lifetime <= MAX_TOKEN_LIFETIME_SECONDS:
        raise ValueError(f"a token lives 1 to {MAX_TOKEN_LIFETIME_SECONDS} seconds, not {lifetime}")
    now = int(time.time())
    claims = {
        "iss": dept,
        "sub": key.service,
        "dept": dept,
        "scope": " ".join(sorted(wanted)),
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
    }
    if officer is not None:
        claims[OFFICER_CLAIM] = valid_officer(officer)
    return jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})


def issue_token(
    settings: Settings,
    *,
    dept: str,
    scopes: Iterable[str] | None = None,
    lifetime: int | None = None,
    officer: str | None = None,
) -> str:
    """A token for `dept` (and `officer`, when given), signed with the local key of one of its
    services: it works only where that department's private key is (NoSigningKey otherwise)."""
    if dept not in DEPARTMENT_SCOPES:
        known = ", ".join(sorted(DEPARTMENT_SCOPES))
        raise ValueError(f"unknown department {dept!r}; known: {known}")
    key = keyring_for(settings).signing_key_of_department(dept)
    return sign_token(
        key,
        scopes=scopes,
        lifetime=settings.token_lifetime_seconds if lifetime is None else lifetime,
        officer=officer,
    )


def decode_token(keyring: Keyring, token: str) -> Principal:
    """The principal of a token one of the trusted keys signed for its own department."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"the token is not valid: {exc}") from exc
    if header.get("alg") != ALGORITHM:
        raise Unauthenticated(f"the token must be signed with {ALGORITHM}")
    kid = header.get("kid")
    trusted = keyring.bundle().get(kid) if isinstance(kid, str) else None
    if trusted is None:
        raise Unauthenticated("the token is signed by a key the trust bundle does not hold")
    try:
        claims = jwt.decode(
            token,
            trusted.public_key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            leeway=LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthenticated("the token has expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated(f"the token is not valid: {exc}") from exc
    if claims["iss"] != trusted.dept or claims["dept"] != trusted.dept:
        # A compromised service speaks for its own department and no other.
        raise Unauthenticated(
            f"the token is signed by {trusted.service}'s key, which speaks only for {trusted.dept}"
        )
    if int(claims["exp"]) - int(claims["iat"]) > MAX_TOKEN_LIFETIME_SECONDS:
        raise Unauthenticated(
            f"the token is valid for longer than {MAX_TOKEN_LIFETIME_SECONDS // 3600} hours"
        )
    dept = trusted.dept
    scopes = frozenset(str(claims["scope"]).split()) & DEPARTMENT_SCOPES[dept]
    return Principal(
        dept=dept, scopes=scopes, token_id=str(claims["jti"]), officer=_officer_of(claims)
    )


def _officer_of(claims: dict[str, object]) -> str | None:
    """The officer a token names, if any; a malformed one makes the token invalid."""
    officer = claims.get(OFFICER_CLAIM)
    if officer is None:
        return None
    if not isinstance(officer, str) or not OFFICER_ID.fullmatch(officer):
        raise Unauthenticated("the token's officer is not a staff number")
    return officer


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
    keyring: Keyring = request.app.state.keyring
    return decode_token(keyring, token.strip())


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
