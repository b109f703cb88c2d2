"""The console's routes: its pages' routers and its own assets."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from services.coordination.console import (
    overview,
    queue,
    session,
    statistics_pages,
    supervision,
)
from services.coordination.console.render import FOLDER

assets = APIRouter(include_in_schema=False)
assets.mount("/console/static", StaticFiles(directory=FOLDER / "static"), name="console-static")


@assets.get("/console")
def console_root() -> RedirectResponse:
    return RedirectResponse("/console/", 308)


ROUTERS: list[APIRouter] = [
    assets,
    session.router,
    overview.router,
    queue.router,
    supervision.router,
    statistics_pages.router,
]
"""Each page module's router, added here as it joins."""
