"""Assembles the residence permit (居住证) service of public security."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.residence_permit.api import router
from services.residence_permit.handlers import SUBSCRIPTION
from services.residence_permit.models import TABLES
from shared.service import ServiceSpec, create_app
from shared.settings import Settings

SPEC = ServiceSpec(
    name="residence_permit",
    title="Luohu · residence permits (public security)",
    description="Residence permits (居住证) for residents who have not settled (三(九)), under "
    "the Interim Regulations on Residence Permits: issue after half a year of residence, yearly "
    "endorsement, the services a holder is entitled to, and closing on settlement.",
    tables=TABLES,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[router],
    subscriptions=[SUBSCRIPTION],
)


def build(settings: Settings | None = None) -> FastAPI:
    return create_app(SPEC, settings)


app = build()
