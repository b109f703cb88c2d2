"""The bodies of the office's statistics: a region's year-end population (四(二)), the
urbanisation rates computed from it (一.2), the people settled (一.1) and the yearly settlement
report per county (三(一), 三(二))."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from shared.fields import Strict

Count = Annotated[int, Field(ge=0, le=100_000_000, strict=True)]
Total = Annotated[int, Field(ge=1, le=100_000_000, strict=True)]
"""A total population: never zero, since every rate divides by it."""


class PopulationIn(Strict):
    """Year-end figures of a county or of the city, as statistics publishes them."""

    resident_population: Total = Field(description="常住人口, year end")
    urban_resident_population: Count = Field(description="城镇常住人口, year end")
    registered_population: Total = Field(description="户籍人口, year end")
    registered_urban_population: Count = Field(description="城镇户籍人口, year end")
    source: Annotated[str, Field(min_length=1, max_length=500)] = Field(
        description="where the figures come from, e.g. the statistical yearbook and its table"
    )

    @field_validator("urban_resident_population", "registered_urban_population")
    @classmethod
    def _within_total(cls, value: int, info: ValidationInfo) -> int:
        total_field = (
            "resident_population"
            if info.field_name == "urban_resident_population"
            else "registered_population"
        )
        total = info.data.get(total_field)
        if total is not None and value > total:
            raise ValueError(f"{value} is more than {total_field} ({total})")
        return value


class PopulationOut(BaseModel):
    region_code: str
    region_name: str
    year: int
    resident_population: int
    urban_resident_population: int
    registered_population: int
    registered_urban_population: int
    source: str
    set_by: str
    set_at: datetime


Status = Literal["figures", "no_figures"]
Verdict = Literal["met", "not_met", "no_figures"]


class RegionRatesOut(BaseModel):
    """One county's or the city's rates in a year; without figures every rate is null."""

    region_code: str
    region_name: str
    status: Status
    basis: Literal["recorded", "sum_of_counties"] | None = Field(
        description="the region's own figures, or (the city only) the sums of every county's"
    )
    resident_rate: float | None = Field(description="常住人口城镇化率, a fraction, 4 decimals")
    registered_rate: float | None = Field(description="户籍人口城镇化率, a fraction, 4 decimals")
    gap: float | None = Field(description="resident_rate minus registered_rate")
    gap_change_since_2013: float | None = Field(
        description="this year's gap minus 2013's: negative when it narrowed; null without "
        "figures for either year"
    )


class TargetOut(BaseModel):
    target: float
    value: float | None
    status: Verdict


class UrbanisationTargetsOut(BaseModel):
    """一.2 on the city's figures of the year asked (the target is due by 2020)."""

    clause: str = "一.2"
    due_year: int
    registered_rate_at_least: TargetOut
    gap_narrowed_since_2013_by_at_least: TargetOut = Field(
        description="2013's gap minus this year's, in fractions (0.02 is two points)"
    )


class SettledYearOut(BaseModel):
    year: int
    settled_persons: int


class SettledPlanOut(BaseModel):
    """一.1: the people approved to settle in 2016-2020, on Shaoguan's calendar, against about
    60,000 (a figure to aim at, 努力, 左右)."""

    clause: str = "一.1"
    by_year: list[SettledYearOut]
    total: int
    target_about: int


class NowcastRegionOut(BaseModel):
    region_code: str
    region_name: str
    status: Literal["estimate", "no_figures"]
    registered_rate: float | None
    settled_so_far: int


class NowcastOut(BaseModel):
    """This year's registered rate estimated, never a figure: statistics' year-end figures
    replace it."""

    estimate: Literal[True] = True
    method: str
    as_of: date
    based_on_year: int
    regions: list[NowcastRegionOut]


class UrbanisationOut(BaseModel):
    year: int
    clause: str = "四(二)"
    regions: list[RegionRatesOut] = Field(description="every county, then the city (440200)")
    targets: UrbanisationTargetsOut
    settlements: SettledPlanOut
    nowcast: NowcastOut | None = Field(description="only for the current year")


class SettlementReportRow(BaseModel):
    """One county's (or the city's, the last row) year: approvals, of whom rural-registered,
    and residence-permit holders at the year's end."""

    region_code: str
    region_name: str
    approved_settlements: int
    settled_persons: int
    rural_registered_persons: int | None = Field(
        description="农业转移人口 among those settled; null when an approval of the year did "
        "not say (one from before the count was carried)"
    )
    rural_registered_persons_known: int
    rural_registered_unknown_settlements: int
    permit_holders: int = Field(description="residence permits valid on `permit_holders_on`")


class SettlementReportOut(BaseModel):
    year: int
    clauses: list[str] = ["三(一)", "三(二)"]
    permit_holders_on: date = Field(
        description="31 December of the year; today while the year runs"
    )
    counties: list[SettlementReportRow]
    city: SettlementReportRow
