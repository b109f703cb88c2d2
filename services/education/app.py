"""Assembles the education service (市教育局): schooling for settled families' children (三(八))."""

from __future__ import annotations

from services.education.api import router
from services.education.handlers import FOLLOW_THROUGH
from services.education.models import TABLES
from services.education.rules import PARAMETERS
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    "education", TABLES, [router], parameters=PARAMETERS, follow_through=FOLLOW_THROUGH
)
build = SPEC.build  # build(settings): the app on those settings (each test builds its own)
app = build()
