"""The people approved to settle in a year, per county, from the office's read model: the
year is the approval day's on Shaoguan's calendar (an approval at 17:00 UTC on 31 December is
already in the next year), whatever the server's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.coordination.models import RuralRegisteredCount, SettlementProgress
from shared import clock


@dataclass(frozen=True)
class CountySettled:
    """One county's approvals in a year: how many, how many people, and of them the
    rural-registered as far as the approvals said (`rural_unknown`: approvals that did not)."""

    approvals: int = 0
    persons: int = 0
    rural_known: int = 0
    rural_unknown: int = 0


def settled_by_county(session: Session, year: int) -> dict[str, CountySettled]:
    """Each county's approvals of `year`; a county without any is absent."""
    start, end = clock.day_start(date(year, 1, 1)), clock.day_start(date(year + 1, 1, 1))
    rows = session.execute(
        select(
            SettlementProgress.region_code,
            SettlementProgress.household_size,
            RuralRegisteredCount.persons,
        )
        .outerjoin(
            RuralRegisteredCount,
            RuralRegisteredCount.settlement_id == SettlementProgress.settlement_id,
        )
        .where(
            SettlementProgress.approval_event_id.is_not(None),
            SettlementProgress.decided_at >= start,
            SettlementProgress.decided_at < end,
        )
    ).all()
    found: dict[str, CountySettled] = {}
    for region_code, household_size, rural in rows:
        held = found.get(region_code or "", CountySettled())
        found[region_code or ""] = CountySettled(
            approvals=held.approvals + 1,
            persons=held.persons + (household_size or 0),
            rural_known=held.rural_known + (rural or 0),
            rural_unknown=held.rural_unknown + (rural is None),
        )
    return found


def settled_persons(session: Session, year: int) -> int:
    """The people approved to settle anywhere in the city in `year`."""
    return sum(county.persons for county in settled_by_county(session, year).values())
