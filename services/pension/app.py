"""Assembles the pension service of human resources (三(七))."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.pension.api import router
from services.pension.config import PARAMETERS
from services.pension.handlers import SUBSCRIPTION
from services.pension.models import TABLES
from shared.service import ServiceSpec, create_app
from shared.settings import Settings

SPEC = ServiceSpec(
    name="pension",
    title="Luohu · pension (human resources)",
    description="On each approved settlement: one basic pension continuation per adult "
    "(scheme joined, months carried over, status; those past pension age draw on local terms) "
    "and the household's minimum living guarantee (最低生活保障) assessed as for local "
    "residents, clause 三(七).",
    tables=TABLES,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[router],
    subscriptions=[SUBSCRIPTION],
)


def build(settings: Settings | None = None) -> FastAPI:
    # A wrong local parameter stops the service here, not one household's decision later.
    PARAMETERS.load()
    return create_app(SPEC, settings)


app = build()
