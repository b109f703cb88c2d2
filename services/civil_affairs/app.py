"""Assembles the minimum living guarantee service of civil affairs (三(七))."""

from __future__ import annotations

from services.civil_affairs.api import router
from services.civil_affairs.handlers import FOLLOW_THROUGH
from services.civil_affairs.models import TABLES
from services.civil_affairs.rules import PARAMETERS
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    "civil_affairs", TABLES, [router], parameters=PARAMETERS, follow_through=FOLLOW_THROUGH
)
build = SPEC.build  # build(settings): the app on those settings (each test builds its own)
app = build()
