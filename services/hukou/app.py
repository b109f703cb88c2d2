"""Assembles the hukou (settlement) service of public security."""

from __future__ import annotations

from services.hukou.api import router
from services.hukou.handlers import SUBSCRIPTION
from services.hukou.models import TABLES
from shared.service import ServiceSpec

SPEC = ServiceSpec("hukou", TABLES, [router], [SUBSCRIPTION])
build = SPEC.build  # build(settings): the app on those settings (each test builds its own)
app = build()
