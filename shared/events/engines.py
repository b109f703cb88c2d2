"""Opens the configured bus engine: choosing one is configuration, not code."""

from __future__ import annotations

from shared.events.bus import Bus
from shared.settings import Settings


def open_bus(settings: Settings) -> Bus:
    if settings.bus == "embedded":
        from shared.events.embedded import EmbeddedBus

        return EmbeddedBus(settings.event_log_path)
    raise ValueError(f"unknown bus engine {settings.bus!r}")
