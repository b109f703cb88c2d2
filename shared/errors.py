"""Error classes and the one handler that renders them as the contract's JSON error body."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.identity import mask_identity_numbers_within

log = logging.getLogger(__name__)


class ErrorDetail(BaseModel):
    """One reason for a refusal; may carry more (e.g. the id of a conflicting record)."""

    model_config = ConfigDict(extra="allow")

    field: str | None = None
    reason: str
    clause: str | None = None


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorResponse(BaseModel):
    """The shape of every error answer: `{"error": {"code", "message", "details"}}`."""

    error: ErrorBody


class LuohuError(Exception):
    """A refusal with a stable machine-readable code, rendered by `install_error_handlers`.

    Each kind of refusal is a subclass naming its HTTP status and code:
    `class NotFound(LuohuError, status_code=404, code="not_found")`."""

    status_code = 400
    code = "bad_request"

    def __init_subclass__(cls, *, status_code: int, code: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.status_code = status_code
        cls.code = code

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class NotFound(LuohuError, status_code=404, code="not_found"):
    """What was asked for is not there."""


class Conflict(LuohuError, status_code=409, code="conflict"):
    """The request clashes with the record's current state."""


class InvalidInput(LuohuError, status_code=422, code="invalid_input"):
    """Input that parsed but breaks a rule the schema cannot state (a 422)."""


class Unauthenticated(LuohuError, status_code=401, code="unauthenticated"):
    """No valid token came with the request."""


class Forbidden(LuohuError, status_code=403, code="forbidden"):
    """The token does not allow this request."""


class BodyTooLarge(LuohuError, status_code=413, code="body_too_large"):
    """A request body over its route's limit (`shared.limits`), refused before it is read."""


class PageAnswer(Exception):
    """A page's own answer, raised from a dependency: a redirect to sign in, or a refusal page
    (services/coordination/console). The handlers send it as it is."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def error_responses(*errors: type[LuohuError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for a route, so the document shows the errors it can return."""
    return {
        error.status_code: {"model": ErrorResponse, "description": error.code} for error in errors
    }


def error_body(code: str, message: str, details: list[dict[str, Any]]) -> dict[str, Any]:
    """The contract's error body: `{"error": {"code", "message", "details"}}`.

    Every text of it is masked, wherever it was written: a reason may quote the value it
    refused, and an identity number put in the wrong field is still one."""
    masked: dict[str, Any] = mask_identity_numbers_within(
        {"error": {"code": code, "message": message, "details": details}}
    )
    return masked


def error_response(
    exc: LuohuError, request: Request, *, headers: dict[str, str] | None = None
) -> JSONResponse:
    """`exc` as the contract's error answer to `request`."""
    extra = dict(headers or {})
    if isinstance(exc, Unauthenticated):
        # RFC 6750 section 3: a 401 names the scheme; a token sent and refused is invalid_token.
        challenge = 'Bearer realm="luohu"'
        if "authorization" in request.headers:
            challenge += ', error="invalid_token"'
        extra["WWW-Authenticate"] = challenge
    body = error_body(exc.code, exc.message, exc.details)
    return JSONResponse(body, status_code=exc.status_code, headers=extra or None)


def _field_path(location: tuple[int | str, ...]) -> str:
    # ("body", "applicant", "id_number") -> "applicant.id_number"; list indexes as [i]
    parts = [part for part in location if part not in ("body", "query", "path", "header")]
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or ".".join(str(part) for part in location)


def _reason(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "is not valid"))
    # Our own validators raise ValueError; pydantic prefixes those with "Value error, ".
    return message.removeprefix("Value error, ")


def _detail(error: dict[str, Any]) -> dict[str, Any]:
    if error.get("type") == "json_invalid":
        # FastAPI locates a JSON syntax error at ("body", character offset): the field is the body.
        where = error.get("loc", ())[-1]
        return {"field": "body", "reason": f"the body is not valid JSON (at character {where})"}
    return {"field": _field_path(tuple(error.get("loc", ()))), "reason": _reason(error)}


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_detail(error) for error in errors]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(PageAnswer)
    async def _page_answer(_: Request, exc: PageAnswer) -> Response:
        return exc.response

    @app.exception_handler(LuohuError)
    async def _luohu_error(request: Request, exc: LuohuError) -> JSONResponse:
        return error_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = validation_details(list(exc.errors()))
        fields = ", ".join(sorted({d["field"] for d in details}))
        message = f"the request is not valid: {fields}" if fields else "the request is not valid"
        return JSONResponse(error_body("invalid_input", message, details), status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected_error(_: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error", exc_info=exc)
        body = error_body("internal_error", "an unexpected error occurred; it has been logged", [])
        # Starlette raises the error again once this answer is sent, and the server then drops
        # the connection: saying so lets the client open a new one for its next request.
        return JSONResponse(body, status_code=500, headers={"Connection": "close"})

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail), []), status_code=exc.status_code)
