"""The one clock: Shaoguan's calendar date and the current UTC instant.

Every calendar date the platform decides or records (a lodging date, a decision date, a school
year, a due date) is the date in Shaoguan, whatever zone the server's clock is set to; instants
stay UTC. `LUOHU_TIMEZONE` (default Asia/Shanghai) names the zone, read once per process.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Asia/Shanghai"


@cache
def zone() -> ZoneInfo:
    """The zone whose calendar the platform keeps (`LUOHU_TIMEZONE`)."""
    name = os.environ.get("LUOHU_TIMEZONE") or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"LUOHU_TIMEZONE={name!r} is not an IANA time zone") from exc


def now() -> datetime:
    """The current instant, in UTC."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in Shaoguan (the configured zone), not the server's."""
    return datetime.now(zone()).date()


def local_date(instant: datetime) -> date:
    """The calendar date in Shaoguan of an aware instant (a decision's timestamp, say)."""
    if instant.tzinfo is None:
        raise ValueError("a naive datetime has no calendar date: give it a time zone")
    return instant.astimezone(zone()).date()


def day_start(day: date) -> datetime:
    """The instant `day` begins in Shaoguan, in UTC: bounds for instants stored in UTC, so a
    query by calendar day needs no time-zone arithmetic in SQL."""
    return datetime.combine(day, time(), zone()).astimezone(UTC)
