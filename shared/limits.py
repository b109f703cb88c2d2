"""The request guard: a body's size, encoding and nesting, and the token, checked before any
route reads the body.

FastAPI reads and parses a request's whole body before it runs a route's dependencies, so
without the guard a body of any size is held in memory, and a malformed one is refused,
before the token is looked at. The guard runs in front of every route of every service:

1. a `Content-Length` above the route's limit: 413, nothing read;
2. under `/v1`, no valid token: 401 (with `WWW-Authenticate`), nothing read;
3. a control character in the path or a query parameter (PostgreSQL refuses NUL in text, so a
   lookup by it would be a server error): 422 naming it;
4. the body, read chunk by chunk (chunked bodies too) and refused with a 413 as soon as it
   passes the limit;
5. a JSON body that is not UTF-8, or nests deeper than `MAX_NESTING`: 422 naming the body.

A route that takes more than `DEFAULT_BODY_LIMIT` says so where it is declared, with FastAPI's
own `max_body_size=` (on the route, or on its router); FastAPI then enforces it as well.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from re import Pattern

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import PRINCIPAL_KEY, authenticate
from shared.errors import Unauthenticated, error_body, error_response

MiB = 1024 * 1024
DEFAULT_BODY_LIMIT = 1 * MiB
"""What a route takes at most unless it declares more: a household's application is a few KiB."""
MAX_NESTING = 32
"""How deep a JSON body may nest: the deepest body the services take nests four levels."""
TOKEN_PREFIX = "/v1/"
"""Every route under it needs a token (CONTRACT.md, "Services, ports, common endpoints")."""


@dataclass(frozen=True)
class BodyLimits:
    """How many bytes of body each route takes: a default, and the routes that declare their own."""

    default: int = DEFAULT_BODY_LIMIT
    declared: tuple[tuple[frozenset[str], Pattern[str], int], ...] = ()

    @classmethod
    def of(cls, routers: Iterable[APIRouter], *, default: int = DEFAULT_BODY_LIMIT) -> BodyLimits:
        """The limits the routes of `routers` declare with `max_body_size=` (route, else router)."""
        declared = []
        for router in routers:
            for route in router.routes:
                if not isinstance(route, APIRoute):
                    continue
                limit = route.max_body_size
                limit = router.max_body_size if limit is None else limit
                if limit is not None:
                    pattern, _, _ = compile_path(route.path)
                    declared.append((frozenset(route.methods or ()), pattern, limit))
        return cls(default=default, declared=tuple(declared))

    def for_request(self, method: str, path: str) -> int:
        for methods, pattern, limit in self.declared:
            if method in methods and pattern.match(path):
                return limit
        return self.default


class RequestGuard:
    """ASGI middleware: refuses what no route should read (see the module's docstring)."""

    def __init__(self, app: ASGIApp, *, limits: BodyLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        limit = self.limits.for_request(scope["method"], scope["path"])
        declared = _content_length(request.headers)
        if declared is not None and declared > limit:
            await _too_large(limit)(scope, receive, send)
            return
        if scope["path"].startswith(TOKEN_PREFIX):
            try:
                scope[PRINCIPAL_KEY] = authenticate(request)
            except Unauthenticated as exc:
                # The body stays unread: the connection cannot carry another request.
                close = {"Connection": "close"} if _has_body(request.headers) else None
                await error_response(exc, request, headers=close)(scope, receive, send)
                return
        unreadable = _control_in_url(request)
        if unreadable is not None:
            await unreadable(scope, receive, send)
            return
        body: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: the app sees it
                await self.app(scope, _replaying([message], receive), send)
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _too_large(limit)(scope, receive, send)
                return
            body.append(chunk)
            if not message.get("more_body", False):
                break
        content = b"".join(body)
        refused = _malformed_json(request.headers, content)
        if refused is not None:
            await refused(scope, receive, send)
            return
        replay: Message = {"type": "http.request", "body": content, "more_body": False}
        await self.app(scope, _replaying([replay], receive), send)


def _replaying(messages: Sequence[Message], receive: Receive) -> Receive:
    """A `receive` that gives `messages` first, then what the client sends next."""
    pending = list(messages)

    async def replay() -> Message:
        return pending.pop(0) if pending else await receive()

    return replay


def _content_length(headers: Headers) -> int | None:
    try:
        return int(headers["content-length"])
    except (KeyError, ValueError):
        return None  # the server refuses a malformed length before the app sees the request


def _has_body(headers: Headers) -> bool:
    return bool(_content_length(headers)) or "transfer-encoding" in headers


def _too_large(limit: int) -> JSONResponse:
    reason = f"the body is larger than this route takes: at most {limit} bytes"
    body = error_body("body_too_large", reason, [{"field": "body", "reason": reason}])
    # Whatever is left of the body is never read: the connection cannot carry another request.
    return JSONResponse(body, status_code=413, headers={"Connection": "close"})


def _invalid(field: str, reason: str) -> JSONResponse:
    detail = {"field": field, "reason": reason}
    body = error_body("invalid_input", f"the request is not valid: {field}", [detail])
    return JSONResponse(body, status_code=422)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _control_in_url(request: Request) -> JSONResponse | None:
    """A 422 for a path or query parameter holding a control character, else None."""
    places = [("path", request.scope["path"]), *request.query_params.multi_items()]
    for field, value in places:
        found = _CONTROL.search(value) or _CONTROL.search(field)
        if found is not None:
            name = "query" if _CONTROL.search(field) else field
            return _invalid(name, f"contains the control character U+{ord(found.group()):04X}")
    return None


def _is_json(headers: Headers) -> bool:
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _malformed_json(headers: Headers, content: bytes) -> JSONResponse | None:
    """A 422 for a JSON body no parser should be given, else None (JSON syntax is FastAPI's)."""
    if not content or not _is_json(headers):
        return None
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = f"the body is not UTF-8 text (byte {exc.start} is not)"
    else:
        if nesting_depth(content) <= MAX_NESTING:
            return None
        reason = f"the body nests deeper than {MAX_NESTING} levels of arrays and objects"
    return _invalid("body", reason)


_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEPS = bytes.maketrans(b"[]{}", b"\x01\xff\x01\xff")


def nesting_depth(content: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (brackets inside strings excluded).

    Computed in C over the text's brackets, so a body at the size limit costs milliseconds.
    """
    brackets = _STRINGS.sub(b"", content).translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    steps = array("b", brackets.translate(_STEPS))  # +1 for an opening bracket, -1 for a closing
    return max(0, max(accumulate(steps)))
