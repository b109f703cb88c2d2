"""Assembles the education service (市教育局): schooling for settled families' children (三(八))."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.education.api import router
from services.education.config import PARAMETERS
from services.education.handlers import SUBSCRIPTION
from services.education.models import TABLES
from shared.service import ServiceSpec, create_app
from shared.settings import Settings

SPEC = ServiceSpec(
    name="education",
    title="Luohu · education",
    description="Children of settled families schooled on the same terms as local children "
    "(同城同待遇, clause 三(八)): a placement per child by age on `hukou.settlement.approved`, "
    "a notice to the family, student-status transfers, and each county's planning view.",
    tables=TABLES,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[router],
    subscriptions=[SUBSCRIPTION],
)


def build(settings: Settings | None = None) -> FastAPI:
    PARAMETERS.load()  # misconfigured local parameters stop the start, not each event
    return create_app(SPEC, settings)


app = build()
