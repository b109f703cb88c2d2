"""Assembles the medical insurance service of human resources (三(六))."""

from __future__ import annotations

from services.medical_insurance.api import router
from services.medical_insurance.handlers import FOLLOW_THROUGH
from services.medical_insurance.models import TABLES
from services.medical_insurance.rules import PARAMETERS
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    "medical_insurance", TABLES, [router], parameters=PARAMETERS, follow_through=FOLLOW_THROUGH
)
build = SPEC.build  # build(settings): the app on those settings (each test builds its own)
app = build()
