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
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate
from re import Pattern

from fastapi import APIRouter
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth import PRINCIPAL_KEY, authenticate
from shared.errors import BodyTooLarge, InvalidInput, Unauthenticated, error_response

MiB = 1024 * 1024
DEFAULT_BODY_LIMIT = 1 * MiB
"""What a route takes at most unless it declares more: a household's application is a few KiB."""
MAX_NESTING = 32
"""How deep a JSON body may nest: the deepest body the services take nests four levels."""
TOKEN_PREFIX = "/v1/"
"""Every route under it needs a token (docs/contract.md, "Services, ports, common endpoints")."""


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
        refusal = _refusal_unread(request, limit)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        received = await _receive_within(receive, limit)
        if received is None:
            await _too_large(limit, request)(scope, receive, send)
            return
        refusal = _malformed_json(request, received)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, _replaying(received, receive), send)


def _refusal_unread(request: Request, limit: int) -> Response | None:
    """What refuses the request from its head alone, before a byte of its body is read."""
    declared = _content_length(request.headers)
    if declared is not None and declared > limit:
        return _too_large(limit, request)
    if request.scope["path"].startswith(TOKEN_PREFIX):
        try:
            request.scope[PRINCIPAL_KEY] = authenticate(request)
        except Unauthenticated as exc:
            # The body stays unread: the connection cannot carry another request.
            close = {"Connection": "close"} if _has_body(request.headers) else None
            return error_response(exc, request, headers=close)
    return _control_in_url(request)


async def _receive_within(receive: Receive, limit: int) -> Message | None:
    """The whole body as one message (or the disconnect that cut it short), or None as soon
    as it passes `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return message  # the client went away: the route sees it as it would have
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}


def _replaying(first: Message, receive: Receive) -> Receive:
    """A `receive` that gives `first`, then what the client sends next (its disconnect)."""
    pending = [first]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay


def _content_length(headers: Headers) -> int | None:
    try:
        return int(headers["content-length"])
    except (KeyError, ValueError):
        return None  # the server refuses a malformed length before the app sees the request


def _has_body(headers: Headers) -> bool:
    return bool(_content_length(headers)) or "transfer-encoding" in headers


def _too_large(limit: int, request: Request) -> Response:
    reason = f"the body is larger than this route takes: at most {limit} bytes"
    refusal = BodyTooLarge(reason, details=[{"field": "body", "reason": reason}])
    # Whatever is left of the body is never read: the connection cannot carry another request.
    return error_response(refusal, request, headers={"Connection": "close"})


def _invalid(request: Request, field: str, reason: str) -> Response:
    details = [{"field": field, "reason": reason}]
    return error_response(
        InvalidInput(f"the request is not valid: {field}", details=details), request
    )


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _control_in_url(request: Request) -> Response | None:
    """A 422 for a path or query parameter holding a control character, else None."""
    places = [("path", request.scope["path"]), *request.query_params.multi_items()]
    for field, value in places:
        found = _CONTROL.search(value) or _CONTROL.search(field)
        if found is not None:
            name = "query" if _CONTROL.search(field) else field
            reason = f"contains the control character U+{ord(found.group()):04X}"
            return _invalid(request, name, reason)
    return None


def _is_json(headers: Headers) -> bool:
    media_type = headers.get("content-type", "").partition(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def _malformed_json(request: Request, received: Message) -> Response | None:
    """A 422 for a JSON body no parser should be given, else None (JSON syntax is FastAPI's)."""
    content: bytes = received.get("body", b"")
    if received["type"] != "http.request" or not content or not _is_json(request.headers):
        return None
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = f"the body is not UTF-8 text (byte {exc.start} is not)"
    else:
        if nesting_depth(content) <= MAX_NESTING:
            return None
        reason = f"the body nests deeper than {MAX_NESTING} levels of arrays and objects"
    return _invalid(request, "body", reason)


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
