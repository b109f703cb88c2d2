"""What stopped, as the office sees it (四(三) 督查): departments whose decision failed, and
departments that stopped reporting, and every consumer's dead letters.

A department stopped reporting when approvals have awaited its first report longer than
`reporting_silence_hours`. The measures set no such limit, so it is the office's own local
parameter (`LUOHU_COORDINATION_PARAMETERS`, dated, with its source); without one in force
nothing is judged silent, and the answer says so. Each consumer's dead letters (events it
could not apply, waiting for an operator's `luohu deadletters replay`) are counted from the
replayer's offsets, and the oldest's age is read from its `luohu-dead-lettered-at` header in
a group of the office's own that never commits (the replayer's is not joined); on Kafka the
office's user may read every dead-letter topic for it. A dead letter carries the failed
record, which may name a person: only its count and time leave this module.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from services.coordination import supervision_schemas as schemas
from services.coordination.models import DepartmentReport, SettlementProgress
from shared import clock
from shared.events.bus import Bus, BusUnavailable
from shared.events.deadletters import Backlog, dead_letter_backlog, incidents_group
from shared.parameters import Parameter, ParameterSet, ParameterSource
from shared.registry import DOWNSTREAM_SERVICES, SERVICES, SERVICES_BY_NAME

REPORTING_SILENCE_HOURS = "reporting_silence_hours"
"""How long approvals may await a department's first report before it counts as silent."""

CONSUMER = "coordination"


def _silence_problems(parameter: Parameter) -> list[str]:
    value = parameter.value
    problems = []
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.append(f"{parameter.name} must be a whole number of hours, at least 1")
    if parameter.unit != "hours":
        problems.append(f'{parameter.name} is in hours: give unit "hours"')
    if parameter.region_code is not None:
        problems.append(f"{parameter.name} is citywide: leave region_code out")
    return problems


PARAMETERS = ParameterSource(
    service="coordination", known=(REPORTING_SILENCE_HOURS,), check=_silence_problems
)


def incidents(session: Session, bus: Bus, parameters: ParameterSet) -> schemas.IncidentsOut:
    now = clock.now()
    limit = parameters.in_force(REPORTING_SILENCE_HOURS, clock.today())
    return schemas.IncidentsOut(
        as_of=now,
        failed=_failed(session),
        silence_limit=limit.cite() if limit else None,
        silent=_silent(session, now, int(limit.value)) if limit else [],
        dead_letters=[_dead_letters(bus, s.name, now) for s in SERVICES if s.consumes],
    )


def _failed(session: Session) -> list[schemas.FailedDepartmentOut]:
    """Every department whose latest report on a settlement is a failure, the oldest first."""
    rows = session.execute(
        select(DepartmentReport, SettlementProgress.region_code)
        .outerjoin(
            SettlementProgress,
            SettlementProgress.settlement_id == DepartmentReport.settlement_id,
        )
        .where(DepartmentReport.status == "failed")
        .order_by(DepartmentReport.reported_at, DepartmentReport.settlement_id)
    )
    today = clock.today()
    return [
        schemas.FailedDepartmentOut(
            settlement_id=report.settlement_id,
            service=report.service,
            department=SERVICES_BY_NAME[report.service].department,
            region_code=region_code,
            summary=report.summary,
            failed_at=report.reported_at,
            age_days=(today - clock.local_date(report.reported_at)).days,
        )
        for report, region_code in rows
    ]


def _silent(session: Session, now: datetime, hours: int) -> list[schemas.SilentDepartmentOut]:
    """Each department with approvals awaiting its first report for longer than `hours`."""
    found = []
    for service in DOWNSTREAM_SERVICES:
        reported = select(DepartmentReport.settlement_id).where(
            and_(
                DepartmentReport.settlement_id == SettlementProgress.settlement_id,
                DepartmentReport.service == service,
            )
        )
        waiting, oldest = session.execute(
            select(func.count(), func.min(SettlementProgress.decided_at)).where(
                SettlementProgress.approval_event_id.is_not(None),
                SettlementProgress.decided_at <= now - timedelta(hours=hours),
                ~reported.exists(),
            )
        ).one()
        if not waiting or oldest is None:
            continue
        last = session.execute(
            select(func.max(DepartmentReport.reported_at)).where(
                DepartmentReport.service == service
            )
        ).scalar_one()
        last_at = _instant(last) if last is not None else None
        found.append(
            schemas.SilentDepartmentOut(
                service=service,
                department=SERVICES_BY_NAME[service].department,
                waiting=int(waiting),
                oldest_waiting_hours=_hours(now - _instant(oldest)),
                last_report_at=last_at,
                hours_since_last_report=_hours(now - last_at) if last_at else None,
            )
        )
    return found


def _dead_letters(bus: Bus, consumer: str, now: datetime) -> schemas.DeadLettersOut:
    # Every service's consumer group is its service's name (its Subscription's group).
    try:
        backlog = dead_letter_backlog(bus, consumer, group=incidents_group(CONSUMER, consumer))
    except BusUnavailable:
        backlog = Backlog(waiting=None, oldest_at=None)
    oldest = backlog.oldest_at
    return schemas.DeadLettersOut(
        consumer=consumer,
        department=SERVICES_BY_NAME[consumer].department,
        waiting=backlog.waiting,
        oldest_dead_lettered_at=oldest,
        oldest_age_hours=_hours(now - oldest) if oldest else None,
        oldest_age_days=(clock.local_date(now) - clock.local_date(oldest)).days if oldest else None,
    )


def _hours(span: timedelta) -> int:
    return int(span.total_seconds() // 3600)


def _instant(value: datetime | str) -> datetime:
    # min() and max() over a column come back without the column's type on SQLite.
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
