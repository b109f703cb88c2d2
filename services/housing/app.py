"""Assembles the housing security service of the housing department (三(五))."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.housing.api import router
from services.housing.config import PARAMETERS
from services.housing.handlers import SUBSCRIPTION
from services.housing.models import TABLES
from shared.service import ServiceSpec, create_app
from shared.settings import Settings

SPEC = ServiceSpec(
    name="housing",
    title="Luohu · housing security (housing)",
    description="Settled households assessed for housing security on the same terms as local "
    "urban residents (三(五)): the rental subsidy (租赁补贴) or public rental housing in kind "
    "(实物保障), under the housing department's dated local parameters; applications, "
    "outcomes and each county's waiting list.",
    tables=TABLES,
    migrations_dir=Path(__file__).parent / "migrations",
    routers=[router],
    subscriptions=[SUBSCRIPTION],
)


def build(settings: Settings | None = None) -> FastAPI:
    # Refuse to start on invalid local parameters, rather than dead-letter every settlement.
    PARAMETERS.load()
    return create_app(SPEC, settings)


app = build()
