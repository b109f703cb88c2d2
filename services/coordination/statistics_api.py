"""The office's statistics routes: statistics' population figures (四(二)), the urbanisation
rates against 一.2 and the people settled against 一.1, and the yearly settlement report per
county for finance and land (三(一), 三(二)). Statistics alone writes the figures
(`population:write`); every department that reports on settling reads (`report:read`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Header, Path, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from services.coordination import population, reports, statistics
from services.coordination import statistics_schemas as out
from shared.auth import Principal, require
from shared.errors import InvalidInput, NotFound, error_responses
from shared.routes import reading, v1_router
from shared.service import RuntimeDep

router = v1_router("statistics")

ReadingReports = Annotated[Session, Depends(reading("report:read"))]
CanSetPopulation = Annotated[Principal, Depends(require("population:write"))]
Year = Annotated[int, Path(ge=1, le=9999, description="a year from 2000 to this one")]
RegionCode = Annotated[
    str, Path(min_length=6, max_length=6, description="a Shaoguan county, or 440200 the city")
]


def _year(year: int) -> int:
    problems = population.checked_year(year)
    if problems:
        raise InvalidInput("no figures are kept for this year", details=problems)
    return year


@router.put(
    "/population/{region_code}/{year}",
    summary="Record a county's or the city's year-end population (四(二)): statistics only; "
    "the figures replace the year's, the audit log keeps those replaced",
)
def put_population(
    region_code: RegionCode,
    year: Year,
    figures: out.PopulationIn,
    principal: CanSetPopulation,
    runtime: RuntimeDep,
) -> out.PopulationOut:
    with runtime.db.unit_of_work() as session:
        return population.set_population(session, region_code, year, figures, actor=principal.actor)


@router.get(
    "/population/{region_code}/{year}",
    summary="A county's or the city's year-end population as statistics recorded it",
    responses=error_responses(NotFound),
)
def get_population(
    region_code: RegionCode, year: Year, session: ReadingReports
) -> out.PopulationOut:
    return population.get_population(session, region_code, year)


@router.get(
    "/urbanisation/{year}",
    summary="Both urbanisation rates per county and for the city (四(二)), against 一.2; the "
    "people settled in 2016-2020 against 一.1; this year's estimate, labelled",
)
def get_urbanisation(year: Year, session: ReadingReports) -> out.UrbanisationOut:
    return statistics.urbanisation(session, _year(year))


@router.get(
    "/reports/settlements/{year}",
    summary="Per county: the people approved to settle, of whom rural-registered, and the "
    "residence-permit holders at the year's end (三(一), 三(二)); JSON, or CSV",
    response_model=out.SettlementReportOut,
    responses={200: {"content": {"text/csv": {}}}},
)
def get_settlement_report(
    year: Year,
    session: ReadingReports,
    output: Annotated[
        Literal["json", "csv"] | None,
        Query(alias="format", description="csv, or json (the default; or say so in Accept)"),
    ] = None,
    accept: Annotated[str | None, Header()] = None,
) -> Any:
    report = reports.settlement_report(session, _year(year))
    wants_csv = output == "csv" or (output is None and "text/csv" in (accept or ""))
    if wants_csv:
        return Response(
            reports.as_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="settlements-{year}.csv"'},
        )
    return report
