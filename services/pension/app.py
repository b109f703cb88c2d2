"""Assembles the pension service of human resources (三(七))."""

from __future__ import annotations

from services.pension.api import router
from services.pension.handlers import SUBSCRIPTION
from services.pension.models import TABLES
from services.pension.rules import PARAMETERS
from shared.service import ServiceSpec

SPEC = ServiceSpec("pension", TABLES, [router], [SUBSCRIPTION], PARAMETERS)
build = SPEC.build  # build(settings): the app on those settings (each test builds its own)
app = build()
