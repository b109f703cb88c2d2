"""Statistics' year-end population figures of a county or the city (四(二) 市统计局牵头): a PUT
replaces the year's figures, and the audit log keeps who changed them, when, and what they
replaced."""

from __future__ import annotations

from sqlalchemy.orm import Session

from services.coordination import statistics_schemas as out
from services.coordination.models import TABLES, PopulationFigures
from services.coordination.statistics import CITY, region_names
from shared import clock
from shared.audit import record_audit
from shared.db import utcnow
from shared.errors import InvalidInput, NotFound
from shared.fields import shaoguan_county_reason

FIRST_YEAR = 2000
"""The earliest year figures are kept for: 一.2 measures against 2013, and nothing earlier
is asked of the office."""

_FIGURES = (
    "resident_population",
    "urban_resident_population",
    "registered_population",
    "registered_urban_population",
)


def checked_place_and_year(region_code: str, year: int) -> None:
    """A 422 naming `region_code` unless it is a county of Shaoguan or the city (440200), and
    naming `year` unless it lies from 2000 to this year in Shaoguan."""
    problems = []
    if region_code not in region_names():
        problems.append(
            {
                "field": "region_code",
                "reason": f"{shaoguan_county_reason(region_code)}; or {CITY} for the city",
            }
        )
    problems.extend(checked_year(year))
    if problems:
        raise InvalidInput(
            "no population figures are kept for this place or year", details=problems
        )


def checked_year(year: int) -> list[dict[str, str]]:
    """Why `year` is refused (a year from 2000 to this one), or nothing."""
    this_year = clock.today().year
    if FIRST_YEAR <= year <= this_year:
        return []
    return [{"field": "year", "reason": f"{year} is not a year from {FIRST_YEAR} to {this_year}"}]


def set_population(
    session: Session, region_code: str, year: int, figures: out.PopulationIn, *, actor: str
) -> out.PopulationOut:
    checked_place_and_year(region_code, year)
    row = session.get(PopulationFigures, (region_code, year), with_for_update=True)
    previous = (
        {**_figures_of(row), "set_by": row.set_by, "set_at": row.set_at.isoformat()}
        if row is not None
        else None
    )
    if row is None:
        row = PopulationFigures(region_code=region_code, year=year)
        session.add(row)
    for name in (*_FIGURES, "source"):
        setattr(row, name, getattr(figures, name))
    row.set_by, row.set_at = actor, utcnow()
    record_audit(
        session,
        TABLES,
        actor=actor,
        action="population.set",
        entity_type="population_figures",
        entity_id=f"{region_code}:{year}",
        detail={"figures": _figures_of(row), "previous": previous},
    )
    session.flush()
    return population_out(row)


def get_population(session: Session, region_code: str, year: int) -> out.PopulationOut:
    checked_place_and_year(region_code, year)
    row = session.get(PopulationFigures, (region_code, year))
    if row is None:
        raise NotFound(f"statistics has recorded no figures of {region_code} for {year}")
    return population_out(row)


def _figures_of(row: PopulationFigures) -> dict[str, object]:
    return {name: getattr(row, name) for name in (*_FIGURES, "source")}


def population_out(row: PopulationFigures) -> out.PopulationOut:
    return out.PopulationOut(
        region_code=row.region_code,
        region_name=region_names()[row.region_code],
        year=row.year,
        **{name: getattr(row, name) for name in (*_FIGURES, "source", "set_by", "set_at")},
    )
