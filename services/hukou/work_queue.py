"""The work queue's order (二.8: 优先解决流动人口存量问题): people already living in the city
are taken first, each application saying why it is where it is. Pure rules, no I/O.

Who already lives in the city: a residence permit holder (三(九)), or a resident of at least
half a year, the residence a permit asks for (居住证暂行条例 第二条: 居住半年以上). The measures
give no other length; a later version of the value may be recorded as a parameter of its name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from services.hukou.domain import ApplicationFacts
from shared.dates import add_months
from shared.parameters import Parameter, latest_in_force, national

CLAUSE = "二.8"
STOCK = "优先解决流动人口存量问题"
PENDING = ("submitted", "eligible")
"""The statuses of an application waiting for the department: the work queue lists these."""

STOCK_RESIDENCE_MONTHS = national(
    "stock_residence_months",
    6,
    unit="months",
    valid_from=date(2016, 1, 1),
    source="national law: 居住证暂行条例 第二条 (居住半年以上), in force 2016-01-01: the "
    "residence that makes a person of the city's floating population",
)


@dataclass(frozen=True)
class QueuePlace:
    """Whether the application comes first in the work queue (二.8), and why."""

    stock_first: bool
    reason: str


def queue_place(facts: ApplicationFacts, parameters: Sequence[Parameter] = ()) -> QueuePlace:
    """Where the application stands in the work queue on its received day (二.8)."""
    on = facts.decision_date
    history = facts.permit_history
    permit_since = history.earliest_resident_since if history is not None else None
    if permit_since is not None and permit_since <= on:
        return QueuePlace(
            True,
            f"first ({CLAUSE}: {STOCK}): has a residence permit of the city, resident since "
            f"{permit_since.isoformat()} (三(九))",
        )
    months = _stock_months(parameters, on)
    residence = facts.residence
    if residence is not None and add_months(residence.since, months) <= on:
        return QueuePlace(
            True,
            f"first ({CLAUSE}: {STOCK}): has lived in the city since "
            f"{residence.since.isoformat()}, at least {months} months "
            f"({STOCK_RESIDENCE_MONTHS.source})",
        )
    lived = (
        f"has lived in the city only since {residence.since.isoformat()}, under {months} months"
        if residence is not None
        else "states no residence in the city"
    )
    return QueuePlace(
        False,
        f"after the people already living here ({CLAUSE}: {STOCK}): "
        f"no residence permit known, {lived}",
    )


def _stock_months(parameters: Sequence[Parameter], on: date) -> int:
    named = [
        p for p in (STOCK_RESIDENCE_MONTHS, *parameters) if p.name == STOCK_RESIDENCE_MONTHS.name
    ]
    in_force = latest_in_force(named, on) or STOCK_RESIDENCE_MONTHS
    return int(in_force.value)
