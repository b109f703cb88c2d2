"""The places settled families need in a county, this school year and next (三(八)). Pure.

三(八) has counties plan compulsory-school places for the population change, from the data on
migrants' children public security and human resources share. The plan counts the children
recorded by education (placed, or too young for a place yet) in settlements decided up to the
end of the school year asked about, each by age at the start of that school year and of the
next: so next year shows the children who grow into preschool and those who grow out of senior
high school. A child placed for the next school year (decided in this one's last weeks,
`placement_next_year_weeks`) is counted next year only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.education.rules.stages import (
    CLAUSE,
    COMPULSORY_STAGES,
    SCHOOL_YEAR_START,
    STAGES,
    AgeBand,
    Stage,
    StageBands,
    Undetermined,
    age_at,
    school_year_start,
)


@dataclass(frozen=True)
class SettledChild:
    """A child education recorded for a settlement: birth date, the school year placed for and
    the settlement's decision date."""

    birth_date: date
    school_year: int
    decided_on: date


@dataclass(frozen=True)
class StageNeed:
    stage: Stage
    this_year: int
    next_year: int

    @property
    def change(self) -> int:
        return self.next_year - self.this_year


@dataclass(frozen=True)
class PlacesPlan:
    """Places needed by stage in one county for school year `year` and the year after."""

    county: str
    year: int
    stages: tuple[StageNeed, ...]
    children_counted: int
    entering_preschool_next_year: int
    leaving_senior_high_next_year: int
    parameters_used: tuple[dict[str, Any], ...]
    information_needed: tuple[str, ...] = ()
    clause: str = CLAUSE

    def compulsory(self) -> tuple[int, int]:
        """Compulsory-school places (primary and junior middle) this year and next."""
        counted = [s for s in self.stages if s.stage in COMPULSORY_STAGES]
        return sum(s.this_year for s in counted), sum(s.next_year for s in counted)


def plan_places(
    children: Sequence[SettledChild],
    *,
    county: str,
    year: int,
    bands_this_year: StageBands | Undetermined,
    bands_next_year: StageBands | Undetermined,
) -> PlacesPlan:
    """Count `children` settled by the end of school year `year` in the stage their age puts
    them in at the start of `year` and of `year + 1` (ages by the stage bands in force on those
    days); one placed for `year + 1` counts in `year + 1` only.

    Children decided later are left out: they had not settled yet.
    """
    bands = (bands_this_year, bands_next_year)
    missing = tuple(m for b in bands if isinstance(b, Undetermined) for m in b.missing)
    if isinstance(bands_this_year, Undetermined) or isinstance(bands_next_year, Undetermined):
        return PlacesPlan(
            county=county,
            year=year,
            stages=(),
            children_counted=0,
            entering_preschool_next_year=0,
            leaving_senior_high_next_year=0,
            parameters_used=(SCHOOL_YEAR_START.reference(),),
            information_needed=tuple(dict.fromkeys(missing)),
        )
    this_start, next_start = school_year_start(year), school_year_start(year + 1)
    counted = [c for c in children if c.decided_on < next_start]
    now: list[AgeBand | None] = [
        bands_this_year.band_of(age_at(c.birth_date, this_start)) if c.school_year <= year else None
        for c in counted
    ]
    later: list[AgeBand] = [
        bands_next_year.band_of(age_at(c.birth_date, next_start)) for c in counted
    ]
    references = {
        (r["name"], r["valid_from"], r["region_code"]): r
        for r in (*bands_this_year.references, *bands_next_year.references)
    }
    return PlacesPlan(
        county=county,
        year=year,
        stages=tuple(
            StageNeed(stage=stage, this_year=now.count(stage), next_year=later.count(stage))
            for stage in STAGES
        ),
        children_counted=len(counted),
        # New to preschool next year: under its age this year, or placed from next year on.
        entering_preschool_next_year=sum(
            1 for a, b in zip(now, later, strict=True) if a != "preschool" and b == "preschool"
        ),
        leaving_senior_high_next_year=sum(
            1 for a, b in zip(now, later, strict=True) if a == "senior_high" and b == "adult"
        ),
        parameters_used=(SCHOOL_YEAR_START.reference(), *references.values()),
    )
