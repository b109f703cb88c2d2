"""Assembles the coordination office's service (四(一), 四(三))."""

from __future__ import annotations

from services.coordination import audit_api
from services.coordination.api import router
from services.coordination.handlers import SUBSCRIPTION
from services.coordination.models import TABLES
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    "coordination", TABLES, [router, *audit_api.ROUTERS], subscriptions=[SUBSCRIPTION]
)
build = SPEC.build  # build(settings): the app on those settings (each test builds its own)
app = build()
