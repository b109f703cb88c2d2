"""Assembles the medical insurance service of human resources (三(六))."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.medical_insurance.api import router
from services.medical_insurance.config import PARAMETERS
from services.medical_insurance.handlers import SUBSCRIPTION
from services.medical_insurance.models import TABLES
from shared.service import ServiceSpec, create_app
from shared.settings import Settings

SPEC = ServiceSpec(
    name="medical_insurance",
    title="Luohu · medical insurance (human resources)",
    description="On `hukou.settlement.approved`, each settled member's basic medical insurance "
    "is transferred into the city's scheme without a gap, continued, or begun (三(六)); "
    "transfers from outside Shaoguan wait for the origin's confirmation.",
    tables=TABLES,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[router],
    subscriptions=[SUBSCRIPTION],
)


def build(settings: Settings | None = None) -> FastAPI:
    PARAMETERS.load()  # a wrong local parameter stops the start, not one decision
    return create_app(SPEC, settings)


app = build()
