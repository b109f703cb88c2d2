"""Pages from templates: every console page extends `base.html`, in Simplified Chinese."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.coordination.console.facts import fact_label
from shared import clock, labels, regions
from shared.registry import SERVICES_BY_NAME

if TYPE_CHECKING:
    from services.coordination.console.session import ConsoleUser

FOLDER = Path(__file__).parent
templates = Jinja2Templates(directory=FOLDER / "templates")


def day(value: date | datetime | None) -> str:
    """A calendar date as 2026-12-03; a moment as its day and minute in Shaoguan."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.astimezone(clock.zone()).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def region(code: str | None) -> str:
    """A county's name (武江区), the city's (韶关市), or the code itself when unknown."""
    if not code:
        return "—"
    return regions.region_name(code) or code


def unit(service: str) -> str:
    """The unit that runs a service (市人社局 for pension)."""
    entry = SERVICES_BY_NAME.get(service)
    return labels.department(entry.department) if entry else service


templates.env.filters.update(
    dept=labels.department,
    service=labels.service,
    clause=lambda name: labels.CLAUSES.get(name, ""),
    status=labels.status,
    kind=labels.item_kind,
    fact=fact_label,
    day=day,
    region=region,
    unit=unit,
)


def render(
    request: Request,
    user: ConsoleUser | None,
    name: str,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """The page `name` for `user` (None: the sign-in page), never cached by the browser: what it
    shows is one department's."""
    answer = templates.TemplateResponse(
        request, name, {"user": user, **context}, status_code=status_code
    )
    answer.headers["Cache-Control"] = "no-store"
    return answer


def refusal_page(user: ConsoleUser | None, reason: str, *, status_code: int) -> HTMLResponse:
    """The page that refuses (403) or finds nothing (404), saying why, without a request: a
    dependency raises it before any route runs."""
    page = templates.get_template("refusal.html").render(
        user=user, reason=reason, status_code=status_code
    )
    return HTMLResponse(page, status_code=status_code, headers={"Cache-Control": "no-store"})
