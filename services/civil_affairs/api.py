"""Civil affairs' routes: its record of a settlement, read with minimum_living:read."""

from __future__ import annotations

from services.civil_affairs.handlers import FOLLOW_THROUGH
from shared.follow_through.routes import settlement_route
from shared.routes import reading, v1_router

router = v1_router("minimum living guarantee")

settlement_route(
    router,
    FOLLOW_THROUGH,
    reading("minimum_living:read"),
    summary="What civil affairs decided for a settled household's minimum living guarantee "
    "(三(七)), and what it still has open",
)
