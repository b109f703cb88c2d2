"""Personal data kept out of what leaves a process: error texts, URLs, span attributes."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from pydantic import ValidationError

from shared.identity import mask_identity_numbers

REDACTED = "redacted"


def failure_text(exc: BaseException) -> str:
    """What went wrong, for a log line, a dead letter or a failure report: the exception's type
    and message with every identity number masked. A pydantic error is told without the
    input it refused (its text would carry the value, and a whole household with it)."""
    if isinstance(exc, ValidationError):
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'value'}: {error['msg']}"
            for error in exc.errors(include_url=False, include_input=False, include_context=False)
        )
        text = f"{exc.error_count()} validation error(s) for {exc.title}: {problems}"
    else:
        text = str(exc)
    return mask_identity_numbers(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)


def redact_query(query: str) -> str:
    """A query string with every value hidden and its names kept: `id_number=redacted`.

    Values may carry personal data whatever the parameter is called; the names are what an
    operator needs to see which filters a request used."""
    if not query:
        return query
    names = (part.partition("=")[0] for part in query.split("&") if part)
    return "&".join(f"{mask_identity_numbers(name)}={REDACTED}" for name in names)


def redact_url(url: str) -> str:
    """`url` with its query's values hidden (see `redact_query`) and no user information."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return mask_identity_numbers(url.partition("?")[0])
    netloc = parts.netloc.rpartition("@")[2]
    return mask_identity_numbers(
        urlunsplit((parts.scheme, netloc, parts.path, redact_query(parts.query), ""))
    )


def redact_target(target: str) -> str:
    """An HTTP request target (`/path?query`) with its query's values hidden."""
    path, separator, query = target.partition("?")
    return mask_identity_numbers(path) + (separator + redact_query(query) if separator else "")
