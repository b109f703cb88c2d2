"""Settlement targets per county and year (一.1, 二.7): numbers to steer by, never a cap, shown
beside the public-service supply public security adjusts them to (`supply`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.hukou import target_schemas
from services.hukou.models import TABLES, SettlementApplication, SettlementTarget
from services.hukou.views import settling_members
from shared import clock, regions
from shared.audit import record_audit
from shared.db import utcnow


def set_target(
    session: Session, *, year: int, region_code: str, target: target_schemas.TargetIn, actor: str
) -> None:
    row = session.get(SettlementTarget, (year, region_code))
    if row is None:
        row = SettlementTarget(year=year, region_code=region_code)
        session.add(row)
    row.target_persons = target.target_persons
    row.note = target.note
    row.set_by = actor
    row.set_at = utcnow()
    record_audit(
        session,
        TABLES,
        actor=actor,
        action="target.set",
        entity_type="settlement_target",
        entity_id=f"{year}:{region_code}",
        detail={"target_persons": target.target_persons, "note": target.note},
    )


def targets_for_year(
    session: Session, year: int, supply: Mapping[str, target_schemas.SupplyOut]
) -> list[target_schemas.TargetOut]:
    """Each county's target beside the people approved to settle there in `year` and the
    county's `supply` (一.1, 二.7 "根据我市公共服务资源供给情况")."""
    # The year as Shaoguan's calendar counts it: an approval at 20:00 UTC on 31 December is
    # already in the next year.
    start, end = clock.day_start(date(year, 1, 1)), clock.day_start(date(year + 1, 1, 1))
    approved = session.execute(
        select(SettlementApplication)
        .options(selectinload(SettlementApplication.members))
        .where(
            SettlementApplication.status.in_(("approved", "settled")),
            SettlementApplication.approved_at >= start,
            SettlementApplication.approved_at < end,
        )
    ).scalars()
    # The people who settle: a member an approval leaves out (二.3) is not counted.
    counts: dict[str, tuple[int, int]] = {}
    for application in approved:
        applications, persons = counts.get(application.destination_region_code, (0, 0))
        counts[application.destination_region_code] = (
            applications + 1,
            persons + len(settling_members(application)),
        )
    targets = {
        t.region_code: t
        for t in session.execute(
            select(SettlementTarget).where(SettlementTarget.year == year)
        ).scalars()
    }
    result = []
    for code, name in regions.SHAOGUAN_COUNTIES.items():
        applications, persons = counts.get(code, (0, 0))
        target = targets.get(code)
        if target is None:
            advisory = "no target set"
        elif persons >= target.target_persons:
            advisory = (
                "target reached: a target steers public services, it never refuses an "
                "eligible person (二.7)"
            )
        else:
            advisory = f"{target.target_persons - persons} persons to the target"
        result.append(
            target_schemas.TargetOut(
                year=year,
                region_code=code,
                region_name=name,
                target_persons=target.target_persons if target else None,
                settled_persons=persons,
                approved_applications=applications,
                note=target.note if target else None,
                advisory=advisory,
                supply=supply[code],
            )
        )
    return result
