"""The two urbanisation rates per county and for the city, every year (四(二)), against 一.2,
and the people settled against 一.1: the office computes them from statistics' figures and the
approvals it has read, and decides nothing with them.

A rate is a share of people, so the city's is computed from the city's people: its own figures
where statistics gave them, otherwise the sums of every county's (never an average of the
counties' rates, which would weigh 新丰县 like 武江区). A region or year without figures has
no rate: shown as such, never as zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.coordination import statistics_schemas as out
from services.coordination.models import PopulationFigures
from services.coordination.settled_counts import settled_by_county, settled_persons
from shared import clock, regions

CITY = regions.SHAOGUAN
CITY_NAME = "韶关市"
BASE_YEAR = 2013
"""一.2 "差距较2013年缩小": the gap is measured against 2013's."""
TARGET_YEAR = 2020
"""一.2 "到2020年"; 一.1 "十三五" ends with it."""
REGISTERED_RATE_TARGET = Fraction(45, 100)
"""一.2 "户籍人口城镇化率提高到45%以上": at least 45 %."""
GAP_NARROWING_TARGET = Fraction(2, 100)
"""一.2 "缩小2个百分点以上": at least two percentage points."""
PLAN_YEARS = range(2016, TARGET_YEAR + 1)
"""一.1 "“十三五”期间": the 13th Five-Year Plan, 2016 to 2020."""
SETTLED_TARGET = 60_000
"""一.1 "6万左右非户籍人口在城市落户": about sixty thousand, a figure to aim at."""

NOWCAST_METHOD = (
    "last year's registered urban population plus the people approved to settle so far this "
    "year, over last year's registered population plus the same people: it assumes each "
    "person settled joins the register from outside the region (one already registered in "
    "its countryside raises the rate more, so the estimate errs low) and counts no birth, "
    "death or other move. An estimate, not a figure: statistics' year-end figures replace it."
)


@dataclass(frozen=True)
class Figures:
    """A region's four year-end figures, and whether they are its own or the counties' sums."""

    resident: int
    urban_resident: int
    registered: int
    registered_urban: int
    basis: Literal["recorded", "sum_of_counties"] = "recorded"

    @property
    def resident_rate(self) -> Fraction:
        return Fraction(self.urban_resident, self.resident)

    @property
    def registered_rate(self) -> Fraction:
        return Fraction(self.registered_urban, self.registered)

    @property
    def gap(self) -> Fraction:
        return self.resident_rate - self.registered_rate


def rounded(value: Fraction | None) -> float | None:
    """A fraction to four decimals, half up (0.45125 is 0.4513)."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def figures_of_year(session: Session, year: int) -> dict[str, Figures]:
    """Every region's figures of `year` statistics recorded, and the city's from the counties'
    sums when it recorded none for the city but did for every county."""
    rows = session.execute(select(PopulationFigures).where(PopulationFigures.year == year))
    found = {
        row.region_code: Figures(
            row.resident_population,
            row.urban_resident_population,
            row.registered_population,
            row.registered_urban_population,
        )
        for row in rows.scalars()
    }
    if CITY not in found and all(code in found for code in regions.SHAOGUAN_COUNTIES):
        counties = [found[code] for code in regions.SHAOGUAN_COUNTIES]
        found[CITY] = Figures(
            sum(f.resident for f in counties),
            sum(f.urban_resident for f in counties),
            sum(f.registered for f in counties),
            sum(f.registered_urban for f in counties),
            basis="sum_of_counties",
        )
    return found


def region_names() -> dict[str, str]:
    """Every county, then the city."""
    return {**regions.SHAOGUAN_COUNTIES, CITY: CITY_NAME}


def _rates(code: str, name: str, now: Figures | None, base: Figures | None) -> out.RegionRatesOut:
    if now is None:
        return out.RegionRatesOut(
            region_code=code,
            region_name=name,
            status="no_figures",
            basis=None,
            resident_rate=None,
            registered_rate=None,
            gap=None,
            gap_change_since_2013=None,
        )
    return out.RegionRatesOut(
        region_code=code,
        region_name=name,
        status="figures",
        basis=now.basis,
        resident_rate=rounded(now.resident_rate),
        registered_rate=rounded(now.registered_rate),
        gap=rounded(now.gap),
        gap_change_since_2013=rounded(now.gap - base.gap) if base else None,
    )


def _verdict(target: Fraction, value: Fraction | None) -> out.TargetOut:
    if value is None:
        return out.TargetOut(target=float(target), value=None, status="no_figures")
    return out.TargetOut(
        target=float(target), value=rounded(value), status="met" if value >= target else "not_met"
    )


def _targets(city: Figures | None, city_base: Figures | None) -> out.UrbanisationTargetsOut:
    narrowed = city_base.gap - city.gap if city and city_base else None
    return out.UrbanisationTargetsOut(
        due_year=TARGET_YEAR,
        registered_rate_at_least=_verdict(
            REGISTERED_RATE_TARGET, city.registered_rate if city else None
        ),
        gap_narrowed_since_2013_by_at_least=_verdict(GAP_NARROWING_TARGET, narrowed),
    )


def settled_in_plan(session: Session) -> out.SettledPlanOut:
    """一.1: the people approved to settle each year of 2016-2020, and in all."""
    by_year = [
        out.SettledYearOut(year=y, settled_persons=settled_persons(session, y)) for y in PLAN_YEARS
    ]
    return out.SettledPlanOut(
        by_year=by_year,
        total=sum(y.settled_persons for y in by_year),
        target_about=SETTLED_TARGET,
    )


def nowcast(session: Session, today: date) -> out.NowcastOut:
    """This year's registered rate per region, estimated from last year's figures and the
    people approved to settle so far this year (`NOWCAST_METHOD`)."""
    base_year = today.year - 1
    base = figures_of_year(session, base_year)
    counties = settled_by_county(session, today.year)
    so_far = {code: counties[code].persons if code in counties else 0 for code in region_names()}
    so_far[CITY] = sum(county.persons for county in counties.values())
    estimates = []
    for code, name in region_names().items():
        held = base.get(code)
        rate = (
            Fraction(held.registered_urban + so_far[code], held.registered + so_far[code])
            if held
            else None
        )
        estimates.append(
            out.NowcastRegionOut(
                region_code=code,
                region_name=name,
                status="estimate" if held else "no_figures",
                registered_rate=rounded(rate),
                settled_so_far=so_far[code],
            )
        )
    return out.NowcastOut(
        method=NOWCAST_METHOD, as_of=today, based_on_year=base_year, regions=estimates
    )


def urbanisation(session: Session, year: int) -> out.UrbanisationOut:
    """四(二): both rates of every county and the city in `year`, the gap's change since 2013,
    一.2 on the city's, the people settled under 一.1 and, for the current year, the nowcast."""
    now, base = figures_of_year(session, year), figures_of_year(session, BASE_YEAR)
    today = clock.today()
    return out.UrbanisationOut(
        year=year,
        regions=[
            _rates(code, name, now.get(code), base.get(code))
            for code, name in region_names().items()
        ],
        targets=_targets(now.get(CITY), base.get(CITY)),
        settlements=settled_in_plan(session),
        nowcast=nowcast(session, today) if year == today.year else None,
    )
