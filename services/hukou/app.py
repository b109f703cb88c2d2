"""Assembles the hukou (settlement) service of public security."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.hukou.api import router
from services.hukou.handlers import SUBSCRIPTION
from services.hukou.models import TABLES
from shared.service import ServiceSpec, create_app
from shared.settings import Settings

SPEC = ServiceSpec(
    name="hukou",
    title="Luohu · hukou (public security)",
    description="Settlement applications (落户申请) decided by the 2017 Shaoguan measures as "
    "code; approval publishes `hukou.settlement.approved` and the fan-out shows each "
    "department's progress.",
    tables=TABLES,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[router],
    subscriptions=[SUBSCRIPTION],
)


def build(settings: Settings | None = None) -> FastAPI:
    return create_app(SPEC, settings)


app = build()
