"""Assembles the residence permit (居住证) service of public security."""

from __future__ import annotations

from services.residence_permit.api import router
from services.residence_permit.handlers import FOLLOW_THROUGH
from services.residence_permit.models import TABLES
from services.residence_permit.registrations_api import router as registrations_router
from services.residence_permit.rules import PARAMETERS
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    "residence_permit",
    TABLES,
    [registrations_router, router],
    parameters=PARAMETERS,
    follow_through=FOLLOW_THROUGH,
)
build = SPEC.build  # build(settings): the app on those settings (each test builds its own)
app = build()
