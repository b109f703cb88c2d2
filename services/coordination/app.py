"""Assembles the coordination office's service (四(一), 四(三))."""

from __future__ import annotations

from services.coordination.api import router
from services.coordination.handlers import SUBSCRIPTION
from services.coordination.models import TABLES
from services.coordination.statistics_api import router as statistics_router
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    "coordination", TABLES, [router, statistics_router], subscriptions=[SUBSCRIPTION]
)
build = SPEC.build  # build(settings): the app on those settings (each test builds its own)
app = build()
