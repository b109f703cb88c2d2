"""统计: the two urbanisation rates and their gap per county and for the city, every year
statistics gave figures for (四(二)), as charts and the tables they draw; 一.2's targets on the
city's figures, the people settled against 一.1, and this year's estimate, labelled as one.

Everything comes from `statistics.urbanisation`, which computes the rates from the figures the
statistics bureau recorded: a year or county without figures has no rate, shown as such.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.coordination import statistics
from services.coordination.console.charts import bar_chart, line_chart
from services.coordination.console.render import render
from services.coordination.console.session import SignedIn, require
from services.coordination.models import PopulationFigures
from services.coordination.statistics_schemas import RegionRatesOut, UrbanisationOut
from shared import clock
from shared.routes import read_session

READS = "report:read"
"""Who reads the rates: every department that reports on settlement (as the API's route)."""

Reading = Annotated[Session, Depends(read_session)]
router = APIRouter(include_in_schema=False)


def years_with_figures(session: Session) -> list[int]:
    """Every year statistics recorded figures for, in order."""
    found = session.execute(select(PopulationFigures.year).distinct().order_by("year"))
    return [int(year) for year in found.scalars()]


def percent(rate: float | None) -> float | None:
    """A fraction as percent (0.4513 is 45.13), for the charts."""
    return None if rate is None else round(rate * 100, 2)


def _city(year: UrbanisationOut) -> RegionRatesOut:
    return next(r for r in year.regions if r.region_code == statistics.CITY)


def city_chart(years: list[UrbanisationOut]) -> Markup:
    """The city's two rates and their gap over the years, in percent."""
    cities = [_city(year) for year in years]
    return line_chart(
        "韶关市城镇化率(%)",
        [str(year.year) for year in years],
        {
            "常住人口城镇化率": [percent(c.resident_rate) for c in cities],
            "户籍人口城镇化率": [percent(c.registered_rate) for c in cities],
            "差距(百分点)": [percent(c.gap) for c in cities],
        },
    )


def counties_chart(year: UrbanisationOut) -> Markup:
    """Each county's two rates in one year, in percent."""
    regions = year.regions
    return bar_chart(
        f"{year.year} 年各区县城镇化率(%)",
        [r.region_name for r in regions],
        {
            "常住人口城镇化率": [percent(r.resident_rate) for r in regions],
            "户籍人口城镇化率": [percent(r.registered_rate) for r in regions],
        },
    )


@router.get("/console/statistics")
def statistics_page(
    request: Request, user: SignedIn, session: Reading, year: int | None = None
) -> Response:
    require(user, READS)
    years = [statistics.urbanisation(session, y) for y in years_with_figures(session)]
    chosen = next((y for y in years if y.year == year), years[-1] if years else None)
    this_year = clock.today().year
    now = next((y for y in years if y.year == this_year), None)
    now = now or statistics.urbanisation(session, this_year)  # the nowcast, the plan
    estimated = now.nowcast is not None and any(
        region.status == "estimate" for region in now.nowcast.regions
    )
    return render(
        request,
        user,
        "statistics.html",
        years=years,
        chosen=chosen,
        city_chart=city_chart(years) if years else None,
        counties_chart=counties_chart(chosen) if chosen else None,
        city=statistics.CITY,
        plan=now.settlements,
        nowcast=now.nowcast if estimated else None,
    )
