"""Who uses the console: an official acting as their department, with its token and no more.

The token is the department's own, as for its API: the development sign-in signs one with the
department's key on this machine (on only where `LUOHU_CONSOLE_DEV_SIGNIN` is set: `luohu run`
sets it) and keeps it in an HttpOnly cookie; in production the city's single sign-on gateway
sends each official's department token as `Authorization: Bearer` (docs/console.md). Either
way it is checked like every API token (`shared.auth.decode_token`), and the console calls
another department's API with that same token: it never acts with more than the official has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from services.coordination.console.render import refusal_page, render
from shared import labels
from shared.auth import Principal, decode_token, sign_token, valid_officer
from shared.errors import PageAnswer, Unauthenticated
from shared.keys import KeyProblem, Keyring
from shared.registry import DEPARTMENT_SCOPES
from shared.settings import Settings

COOKIE = "luohu_console"
HOME = "/console/"


@dataclass(frozen=True)
class ConsoleUser:
    """The signed-in official: their department's principal, and the token it came from."""

    principal: Principal
    token: str

    @property
    def dept(self) -> str:
        return self.principal.dept

    @property
    def unit(self) -> str:
        return labels.department(self.dept)

    @property
    def actor(self) -> str:
        return self.principal.actor

    def has(self, scope: str) -> bool:
        return scope in self.principal.scopes


def current_user(request: Request) -> ConsoleUser | None:
    """The official behind `request`, or None: no token, or one that does not hold."""
    scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
    token = bearer.strip() if scheme.lower() == "bearer" else request.cookies.get(COOKIE, "")
    if not token:
        return None
    try:
        return ConsoleUser(decode_token(request.app.state.keyring, token), token)
    except Unauthenticated:
        return None


def signed_in(request: Request) -> ConsoleUser:
    user = current_user(request)
    if user is None:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise PageAnswer(RedirectResponse(f"/console/sign-in?next={quote(here)}", 303))
    return user


SignedIn = Annotated[ConsoleUser, Depends(signed_in)]


class ConsoleForbidden(PageAnswer):
    """The official's department may not see or do this: a 403 page that says why."""

    def __init__(self, user: ConsoleUser | None, reason: str) -> None:
        super().__init__(refusal_page(user, reason, status_code=403))


def require(user: ConsoleUser, scope: str) -> None:
    if not user.has(scope):
        raise ConsoleForbidden(user, f"{user.unit}无权查看或办理此项(需要权限 {scope})")


def same_origin(request: Request) -> None:
    """A form the console itself served: its Origin (or Referer) is this host. The cookie is
    SameSite=Strict as well; this refuses a cross-site form whatever the browser does."""
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    if urlsplit(source).netloc != request.url.netloc:
        raise ConsoleForbidden(current_user(request), "此表单不是由本平台的页面提交的,已拒绝")


SameOrigin = Depends(same_origin)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a console page, never another site."""
    if target and target.startswith("/console/") and not target.startswith("//"):
        return target
    return HOME


def signable_departments(keyring: Keyring) -> list[str]:
    """The departments whose key is on this machine, in the registry's order."""
    try:
        held = {key.dept for key in keyring.local_keys()}
    except KeyProblem:
        return []
    return [dept for dept in DEPARTMENT_SCOPES if dept in held]


router = APIRouter(include_in_schema=False)


@router.get("/console/sign-in")
def sign_in_page(request: Request, next: str | None = None) -> Response:
    return render(request, None, "sign_in.html", **_sign_in_context(request, next))


@router.post("/console/sign-in", dependencies=[SameOrigin])
def sign_in(
    request: Request,
    dept: Annotated[str, Form(max_length=40)],
    officer: Annotated[str, Form(max_length=40)] = "",
    next: Annotated[str, Form(max_length=2000)] = HOME,
) -> Response:
    settings: Settings = request.app.state.settings
    keyring: Keyring = request.app.state.keyring
    errors: dict[str, str] = {}
    if not settings.console_dev_signin:
        errors["dept"] = "本平台未开启开发登录,请通过市统一身份认证登录"
    elif dept not in signable_departments(keyring):
        errors["dept"] = "请选择本机持有密钥的部门"
    if officer:
        try:
            valid_officer(officer)
        except ValueError:
            errors["officer"] = "工号由 1 至 40 位字母、数字、“.”、“_”或“-”组成"
    if errors:
        context = _sign_in_context(request, next, chosen=dept, officer=officer, errors=errors)
        return render(request, None, "sign_in.html", status_code=422, **context)
    lifetime = settings.token_lifetime_seconds
    token = sign_token(
        keyring.signing_key_of_department(dept), lifetime=lifetime, officer=officer or None
    )
    answer = RedirectResponse(safe_next(next), 303)
    answer.set_cookie(
        COOKIE,
        token,
        max_age=lifetime,
        path="/console",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return answer


@router.post("/console/sign-out", dependencies=[SameOrigin])
def sign_out() -> Response:
    answer = RedirectResponse("/console/sign-in", 303)
    answer.delete_cookie(COOKIE, path="/console")
    return answer


def _sign_in_context(
    request: Request,
    next: str | None,
    *,
    chosen: str = "",
    officer: str = "",
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    departments = signable_departments(request.app.state.keyring)
    return {
        "dev_signin": settings.console_dev_signin,
        "departments": [(dept, labels.department(dept)) for dept in departments],
        "chosen": chosen,
        "officer": officer,
        "next": safe_next(next),
        "errors": errors or {},
    }


class PageNotFound(PageAnswer):
    """Nothing the console knows answers to this (an unknown county, service or family)."""

    def __init__(self, user: ConsoleUser | None, reason: str) -> None:
        super().__init__(refusal_page(user, reason, status_code=404))


@router.get("/console/me")
def my_account(request: Request, user: SignedIn) -> Response:
    """Who the console takes the official for, and what their department's token lets them do."""
    return render(request, user, "me.html", scopes=sorted(user.principal.scopes))
