"""Assembles the coordination office's service (四(一), 四(三))."""

from __future__ import annotations

from services.coordination import audit_api
from services.coordination.api import router
from services.coordination.console.routes import ROUTERS as CONSOLE
from services.coordination.handlers import SUBSCRIPTION
from services.coordination.incidents import PARAMETERS
from services.coordination.models import TABLES
from services.coordination.statistics_api import router as statistics_router
from services.coordination.supervision_api import router as supervision_router
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    "coordination",
    TABLES,
    [router, supervision_router, statistics_router, *audit_api.ROUTERS, *CONSOLE],
    subscriptions=[SUBSCRIPTION],
    parameters=PARAMETERS,
)
build = SPEC.build  # build(settings): the app on those settings (each test builds its own)
app = build()
