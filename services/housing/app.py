"""Assembles the housing security service of the housing department (三(五))."""

from __future__ import annotations

from services.housing.api import router
from services.housing.handlers import FOLLOW_THROUGH
from services.housing.models import TABLES
from services.housing.rules import PARAMETERS
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    "housing", TABLES, [router], parameters=PARAMETERS, follow_through=FOLLOW_THROUGH
)
build = SPEC.build  # build(settings): the app on those settings (each test builds its own)
app = build()
