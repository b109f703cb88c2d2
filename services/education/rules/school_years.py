"""The school year a settled family's children are placed for (三(八)). Pure.

三(八) has education judge the schooling needs of the children of those who have settled
(对进城落户农民子女就学需求做出准确判断), on the same terms as local children (同城同待遇): the
need on the day the family settles, the approval day, the settlement's decision date. That day
falls in a school year under way, and placement is for it. The text names no day from which a
school year ending soon gives way to the next, so that is a dated local parameter of the
department's, `placement_next_year_weeks`: a settlement decided in the school year's last that
many weeks is placed for the school year starting next. Without it the placement is for the
school year under way, which is what the text supports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from services.education.rules.stages import school_year_label, school_year_of, school_year_start
from shared.parameters import Parameter, ParameterSet

NEXT_YEAR_WEEKS = "placement_next_year_weeks"
"""The last weeks of a school year, before the next one starts, in which a settlement is placed
for the next one: a whole number of weeks (0: none), dated, citywide or for one county."""

MOST_WEEKS = 51
"""No more weeks than a school year has, less one: the year under way keeps at least a week."""

_NEEDS = "三(八) 对进城落户农民子女就学需求做出准确判断"


def next_year_weeks_problems(parameter: Parameter) -> list[str]:
    """What is wrong with a configured `placement_next_year_weeks`, in words (none: nothing)."""
    if parameter.name != NEXT_YEAR_WEEKS:
        return []
    value = parameter.value
    problems = []
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MOST_WEEKS:
        problems.append(
            f"{NEXT_YEAR_WEEKS} must be a whole number of weeks from 0 to {MOST_WEEKS}, "
            f"not {value!r}"
        )
    if parameter.unit not in (None, "weeks"):
        problems.append(f"{NEXT_YEAR_WEEKS} is in weeks, not {parameter.unit}")
    return problems


@dataclass(frozen=True)
class SchoolYear:
    """The school year placements are for (it starts on 1 September of `year`), and why."""

    year: int
    reason: str
    references: tuple[dict[str, Any], ...] = ()


def placement_school_year(decision_date: date, parameters: ParameterSet, county: str) -> SchoolYear:
    """The school year under way on `decision_date`, or the next one when the decision falls in
    the under way one's last weeks (`placement_next_year_weeks` in force that day in `county`).

    Raises ValueError for a parameter the service would not have loaded (not whole weeks).
    """
    under_way = school_year_of(decision_date)
    next_start = school_year_start(under_way + 1)
    decided = (
        f"Decided on {decision_date.isoformat()}, the approval day, in the "
        f"{school_year_label(under_way)} school year"
    )
    weeks = parameters.in_force(NEXT_YEAR_WEEKS, decision_date, county)
    if weeks is None:
        return SchoolYear(
            under_way,
            f"{decided}: no {NEXT_YEAR_WEEKS} is in force in {county} that day, so the placement "
            f"is for the school year under way, the need on the day the family settles ({_NEEDS}).",
        )
    problems = next_year_weeks_problems(weeks)
    if problems:
        raise ValueError("; ".join(problems))
    last_weeks_from = next_start - timedelta(weeks=int(weeks.value))
    used = (weeks.reference(),)
    if decision_date < last_weeks_from:
        return SchoolYear(
            under_way,
            f"{decided}, before its last weeks (from {last_weeks_from.isoformat()}: "
            f"{weeks.cite()}): placed for the school year under way ({_NEEDS}).",
            used,
        )
    return SchoolYear(
        under_way + 1,
        f"{decided}, in its last weeks (from {last_weeks_from.isoformat()}: {weeks.cite()}): "
        f"placed for the {school_year_label(under_way + 1)} school year, which starts on "
        f"{next_start.isoformat()} ({_NEEDS}).",
        used,
    )


def kept_school_year(year: int, references: tuple[dict[str, Any], ...]) -> SchoolYear:
    """The school year an earlier decision on the settlement placed its children for: a later
    decision (a fact or a parameter arriving) keeps it, so siblings share one school year."""
    return SchoolYear(
        year,
        f"The {school_year_label(year)} school year, as this settlement's first decision "
        f"placed its children for; a parameter recorded since does not move it ({_NEEDS}).",
        references,
    )
