"""Assembles the pension service of human resources (三(七))."""

from __future__ import annotations

from services.pension.api import router
from services.pension.handlers import FOLLOW_THROUGH
from services.pension.models import TABLES
from services.pension.rules import PARAMETERS
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    "pension", TABLES, [router], parameters=PARAMETERS, follow_through=FOLLOW_THROUGH
)
build = SPEC.build  # build(settings): the app on those settings (each test builds its own)
app = build()
