"""The school year, ages and stages (三(八)): national law and practice as dated parameters.

The ages and the school year are national law and practice, so they ship in code as dated
parameters citing their source. A configured local parameter of the same name (e.g. a county
deferring primary entry to seven, which the Compulsory Education Law art. 11 allows where
conditions are lacking) supersedes them from its own date (`rules.parameters`). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any, Literal

from shared import dates
from shared.national import AGE_OF_MAJORITY
from shared.parameters import Parameter, ParameterSet, national
from shared.rules import parameter_field

CLAUSE = "三(八)"

Stage = Literal["preschool", "primary", "junior_middle", "senior_high"]
STAGES: tuple[Stage, ...] = ("preschool", "primary", "junior_middle", "senior_high")
# 学籍 (student status) is kept nationally from primary through senior high; 三(八) asks that
# transfers *and progression* be eased, and progression to the senior-high exams and the
# college entrance exam depends on local senior-high status, so senior high transfers too.
# Preschool has no student status to transfer.
TRANSFER_STAGES: tuple[Stage, ...] = ("primary", "junior_middle", "senior_high")
COMPULSORY_STAGES: tuple[Stage, ...] = ("primary", "junior_middle")

# --- national parameters (in code, dated, with their source) ------------------------------------

_LAW_DATE = date(2006, 9, 1)  # the Compulsory Education Law as revised in 2006 took effect

# Fixed, not configurable: every school-year date (placements, planning) hangs on it, and a
# settlement's school year must not move when a parameter is recorded later.
SCHOOL_YEAR_START = national(
    "school_year_start",
    "09-01",
    unit="month-day",
    valid_from=_LAW_DATE,
    source="national practice: the school year (学年) begins with the autumn term on 1 September",
)
PRESCHOOL_ENTRY_AGE = "preschool_entry_age"
PRIMARY_ENTRY_AGE = "primary_entry_age"
JUNIOR_MIDDLE_ENTRY_AGE = "junior_middle_entry_age"
SENIOR_HIGH_ENTRY_AGE = "senior_high_entry_age"
# Senior high ends at the age of majority every department applies (shared.national).
STAGE_AGE_NAMES = (
    PRESCHOOL_ENTRY_AGE,
    PRIMARY_ENTRY_AGE,
    JUNIOR_MIDDLE_ENTRY_AGE,
    SENIOR_HIGH_ENTRY_AGE,
    AGE_OF_MAJORITY.name,
)
_AGE_UNIT = "years of age (周岁) at the school-year start"


def _national(name: str, value: int, source: str) -> Parameter:
    return national(name, value, unit=_AGE_UNIT, valid_from=_LAW_DATE, source=source)


NATIONAL_PARAMETERS: tuple[Parameter, ...] = (
    _national(
        PRESCHOOL_ENTRY_AGE,
        3,
        "national practice: kindergartens take children of 3 and over until school (幼儿园"
        "工作规程 art. 2: 对3周岁以上学龄前幼儿实施保育和教育)",
    ),
    _national(
        PRIMARY_ENTRY_AGE,
        6,
        "national law: Compulsory Education Law of the PRC (2006 revision) art. 11, children "
        "who have reached six enter school (年满六周岁)",
    ),
    _national(
        JUNIOR_MIDDLE_ENTRY_AGE,
        12,
        "national practice: six years of primary school from age 6 (the 6-3 system of the "
        "nine-year compulsory education)",
    ),
    _national(
        SENIOR_HIGH_ENTRY_AGE,
        15,
        "national practice: three years of junior middle school after six of primary, so "
        "the nine years of compulsory education end at about 15",
    ),
    AGE_OF_MAJORITY,
)

# --- the school year and ages -------------------------------------------------------------------


def _start_month_day() -> tuple[int, int]:
    month, day = str(SCHOOL_YEAR_START.value).split("-")
    return int(month), int(day)


def school_year_start(year: int) -> date:
    """The first day of the school year that starts in `year`."""
    month, day = _start_month_day()
    return date(year, month, day)


def school_year_of(decision_date: date) -> int:
    """The school year in progress or starting on `decision_date`: a decision on or after
    1 September falls in the year starting that 1 September, one before it in the year that
    started the previous 1 September."""
    if decision_date >= school_year_start(decision_date.year):
        return decision_date.year
    return decision_date.year - 1


def school_year_label(year: int) -> str:
    return f"{year}-{year + 1}"


def age_at(birth_date: date, on: date) -> int | None:
    """Completed years (周岁) on `on` (`shared.dates.age_on`); None for a child not yet born
    on that day, whom the stages count as under preschool age rather than refuse."""
    return None if on < birth_date else dates.age_on(birth_date, on)


# --- stages by age ------------------------------------------------------------------------------

AgeBand = Literal[
    "under_preschool", "preschool", "primary", "junior_middle", "senior_high", "adult"
]


@dataclass(frozen=True)
class StageBands:
    """The first age of each stage and the age of majority in force, with their versions."""

    preschool: int
    primary: int
    junior_middle: int
    senior_high: int
    adult: int
    references: tuple[dict[str, Any], ...] = ()

    def band_of(self, age: int | None) -> AgeBand:
        """Where a child of `age` at the school-year start stands (None: not yet born)."""
        if age is None or age < self.preschool:
            return "under_preschool"
        if age >= self.adult:
            return "adult"
        if age >= self.senior_high:
            return "senior_high"
        if age >= self.junior_middle:
            return "junior_middle"
        if age >= self.primary:
            return "primary"
        return "preschool"

    def ages_of(self, stage: Stage) -> str:
        """A stage's ages in words, e.g. "6-11"."""
        bounds = (self.preschool, self.primary, self.junior_middle, self.senior_high, self.adult)
        first = bounds[STAGES.index(stage)]
        return f"{first}-{bounds[STAGES.index(stage) + 1] - 1}"


@dataclass(frozen=True)
class Undetermined:
    """Stage ages that cannot be settled: the parameters at fault, as missing facts
    (`parameters.<name>`), and why, in words."""

    missing: tuple[str, ...]
    reason: str


def stage_bands(parameters: ParameterSet, on: date, county: str) -> StageBands | Undetermined:
    """The stage ages in force on `on` (a school-year start) in `county`."""
    found: dict[str, Parameter] = {}
    missing: list[str] = []
    problems: list[str] = []
    for name in STAGE_AGE_NAMES:
        parameter = parameters.in_force(name, on, county)
        if parameter is None:
            missing.append(parameter_field(name))
            problems.append(f"parameter {name} in force on {on.isoformat()} in {county}")
        elif isinstance(parameter.value, bool) or not isinstance(parameter.value, int):
            missing.append(parameter_field(name))
            problems.append(
                f"parameter {name} as a whole number of years (got {parameter.value!r})"
            )
        else:
            found[name] = parameter
    if missing:
        return Undetermined(
            tuple(missing),
            "The stage ages cannot be applied: " + "; ".join(problems) + " must be recorded.",
        )
    ages = [int(found[name].value) for name in STAGE_AGE_NAMES]
    if any(later <= earlier for earlier, later in pairwise(ages)):
        pairs = zip(STAGE_AGE_NAMES, ages, strict=True)
        listed = ", ".join(f"{name} = {age}" for name, age in pairs)
        return Undetermined(
            tuple(parameter_field(name) for name in STAGE_AGE_NAMES),
            f"The stage ages in force on {on.isoformat()} in {county} do not rise ({listed}); "
            "consistent values must be recorded.",
        )
    preschool, primary, junior_middle, senior_high, adult = ages
    return StageBands(
        preschool=preschool,
        primary=primary,
        junior_middle=junior_middle,
        senior_high=senior_high,
        adult=adult,
        references=tuple(found[name].reference() for name in STAGE_AGE_NAMES),
    )
