"""The urbanisation rates per county and for the city (四(二)), against 一.2, and the people
settled against 一.1, at the coordination office: every figure below is worked out by hand
from statistics' figures, and the city's rate is its people's, never the counties' mean."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared import clock
from shared.settings import Settings
from tests.api.statistics_support import (
    CITY,
    OTHER_COUNTIES,
    ZHENJIANG,
    approve,
    figures,
    put_population,
)
from tests.support import WUJIANG, Headers, error_of, invalid, ok, reason_for, token


@pytest.fixture
def statistician(settings: Settings) -> Headers:
    return token(settings, "statistics")


def rates(client: TestClient, headers: Headers, year: int) -> dict[str, Any]:
    return ok(client.get(f"/v1/urbanisation/{year}", headers=headers))


def region(answer: dict[str, Any], code: str) -> dict[str, Any]:
    return next(r for r in answer["regions"] if r["region_code"] == code)


def every_county_2019(client: TestClient, headers: Headers) -> None:
    """武江区 0.8 / 0.6, 浈江区 0.5 / 0.3, the eight others 0.2 / 0.1 each (resident /
    registered rate), over populations of very different sizes."""
    put_population(client, headers, WUJIANG, 2019, figures(400_000, 320_000, 350_000, 210_000))
    put_population(client, headers, ZHENJIANG, 2019, figures(100_000, 50_000, 100_000, 30_000))
    for code in OTHER_COUNTIES:
        put_population(client, headers, code, 2019, figures(50_000, 10_000, 60_000, 6_000))


def test_the_citys_rates_are_its_peoples_sums_never_the_mean_of_the_counties(
    office: TestClient, statistician: Headers
) -> None:
    every_county_2019(office, statistician)
    answer = rates(office, statistician, 2019)
    wujiang = region(answer, WUJIANG)
    assert (wujiang["status"], wujiang["basis"]) == ("figures", "recorded")
    assert (wujiang["resident_rate"], wujiang["registered_rate"], wujiang["gap"]) == (
        0.8,
        0.6,
        0.2,
    )
    assert region(answer, ZHENJIANG)["registered_rate"] == 0.3
    city = region(answer, CITY)
    # Resident: (320,000 + 50,000 + 8 x 10,000) / (400,000 + 100,000 + 8 x 50,000) = 450/900.
    # Registered: (210,000 + 30,000 + 8 x 6,000) / (350,000 + 100,000 + 8 x 60,000)
    #           = 288,000 / 930,000 = 0.309677...; the gap 0.5 - 0.309677 = 0.190323.
    assert (city["status"], city["basis"]) == ("figures", "sum_of_counties")
    assert (city["resident_rate"], city["registered_rate"], city["gap"]) == (0.5, 0.3097, 0.1903)
    # The counties' mean would be (0.8 + 0.5 + 8 x 0.2) / 10 = 0.29 and (0.6 + 0.3 + 0.8) / 10.
    assert city["resident_rate"] != 0.29 and city["registered_rate"] != 0.17
    assert [r["region_code"] for r in answer["regions"]][-1] == CITY
    assert len(answer["regions"]) == 11


def test_a_year_or_a_county_without_figures_has_no_rate_never_zero(
    office: TestClient, statistician: Headers
) -> None:
    put_population(office, statistician, WUJIANG, 2017, figures(400_000, 320_000, 350_000, 210_000))
    answer = rates(office, statistician, 2017)
    assert region(answer, WUJIANG)["status"] == "figures"
    for code in (ZHENJIANG, *OTHER_COUNTIES, CITY):  # one county missing: no city sum either
        shown = region(answer, code)
        assert shown["status"] == "no_figures" and shown["basis"] is None
        assert shown["resident_rate"] is None and shown["registered_rate"] is None
        assert shown["gap"] is None and shown["gap_change_since_2013"] is None
    empty = rates(office, statistician, 2018)
    assert {r["status"] for r in empty["regions"]} == {"no_figures"}
    assert {t["status"] for t in (*_targets(empty),)} == {"no_figures"}
    assert empty["nowcast"] is None


def _targets(answer: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    targets = answer["targets"]
    assert (targets["clause"], targets["due_year"]) == ("一.2", 2020)
    return targets["registered_rate_at_least"], targets["gap_narrowed_since_2013_by_at_least"]


def test_the_gap_is_measured_against_2013_and_the_targets_say_met_or_not(
    office: TestClient, statistician: Headers
) -> None:
    every_county_2019(office, statistician)
    # 2013: the city's own figures (gap 0.45 - 0.25 = 0.2) and 武江区's (0.75 - 0.5 = 0.25).
    put_population(office, statistician, CITY, 2013, figures(900_000, 405_000, 900_000, 225_000))
    put_population(office, statistician, WUJIANG, 2013, figures(380_000, 285_000, 340_000, 170_000))
    answer = rates(office, statistician, 2019)
    assert region(answer, WUJIANG)["gap_change_since_2013"] == -0.05  # 0.2 - 0.25
    assert region(answer, ZHENJIANG)["gap_change_since_2013"] is None  # no 2013 figures
    assert region(answer, CITY)["gap_change_since_2013"] == -0.0097  # 0.190323 - 0.2
    registered, narrowed = _targets(answer)
    assert registered == {"target": 0.45, "value": 0.3097, "status": "not_met"}
    assert narrowed == {"target": 0.02, "value": 0.0097, "status": "not_met"}

    # 2020, the city's own figures exactly on both targets: 45 % and two points (以上).
    put_population(
        office, statistician, CITY, 2020, figures(1_000_000, 630_000, 1_000_000, 450_000)
    )
    answer = rates(office, statistician, 2020)
    city = region(answer, CITY)
    assert (city["basis"], city["gap"], city["gap_change_since_2013"]) == ("recorded", 0.18, -0.02)
    registered, narrowed = _targets(answer)
    assert (registered["value"], registered["status"]) == (0.45, "met")
    assert (narrowed["value"], narrowed["status"]) == (0.02, "met")
    assert region(answer, WUJIANG)["status"] == "no_figures"  # the city's own: no county needed


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_the_people_settled_in_2016_to_2020_count_by_shaoguans_calendar(
    office: TestClient, settings: Settings, statistician: Headers
) -> None:
    approve(office, settings, _at(2016, 5, 1, 2), 3, rural=3)
    approve(office, settings, _at(2019, 12, 31, 15, 59), 4)  # 23:59 in Shaoguan: 2019
    approve(office, settings, _at(2019, 12, 31, 17, 0), 2, region=ZHENJIANG)  # 01:00, 2020
    approve(office, settings, _at(2020, 7, 1, 2), 1)
    approve(office, settings, _at(2021, 1, 5, 2), 5)  # after the plan
    settled = rates(office, statistician, 2019)["settlements"]
    assert settled["clause"] == "一.1" and settled["target_about"] == 60_000
    assert [(y["year"], y["settled_persons"]) for y in settled["by_year"]] == [
        (2016, 3),
        (2017, 0),
        (2018, 0),
        (2019, 4),
        (2020, 3),
    ]
    assert settled["total"] == 10


def test_this_years_rate_is_an_estimate_labelled_with_its_method(
    office: TestClient, settings: Settings, statistician: Headers
) -> None:
    year = clock.today().year
    put_population(office, statistician, CITY, year - 1, figures(2_000, 1_000, 1_000, 400))
    put_population(office, statistician, WUJIANG, year - 1, figures(200, 100, 100, 50))
    this_year = clock.day_start(date(year, 1, 1)) + timedelta(minutes=1)
    approve(office, settings, this_year, 3)
    approve(office, settings, this_year, 7, region=ZHENJIANG)
    answer = rates(office, statistician, year)
    assert {r["status"] for r in answer["regions"]} == {"no_figures"}  # no figure is made up
    nowcast = answer["nowcast"]
    assert nowcast["estimate"] is True and nowcast["based_on_year"] == year - 1
    assert "estimate, not a figure" in nowcast["method"]
    shown = {r["region_code"]: r for r in nowcast["regions"]}
    # The city: (400 + 10) / (1,000 + 10) = 0.405940...; 武江区: (50 + 3) / (100 + 3) = 0.514563.
    assert (shown[CITY]["status"], shown[CITY]["registered_rate"]) == ("estimate", 0.4059)
    assert shown[CITY]["settled_so_far"] == 10
    assert (shown[WUJIANG]["registered_rate"], shown[WUJIANG]["settled_so_far"]) == (0.5146, 3)
    assert (shown[ZHENJIANG]["status"], shown[ZHENJIANG]["registered_rate"]) == ("no_figures", None)
    assert shown[ZHENJIANG]["settled_so_far"] == 7
    assert rates(office, statistician, year - 1)["nowcast"] is None


def test_only_statistics_records_the_figures_and_the_reporting_departments_read(
    office: TestClient, settings: Settings, statistician: Headers
) -> None:
    body = figures(400_000, 320_000, 350_000, 210_000)
    for dept in ("housing", "coordination", "finance", "public_security", "audit"):
        refused = office.put(
            f"/v1/population/{WUJIANG}/2019", json=body, headers=token(settings, dept)
        )
        error_of(refused, 403, "forbidden")
    error_of(office.get(f"/v1/population/{WUJIANG}/2019", headers=statistician), 404, "not_found")
    put_population(office, statistician, WUJIANG, 2019, body)
    for dept in (
        "statistics",
        "finance",
        "natural_resources",
        "coordination",
        "audit",
        "public_security",
    ):
        read = ok(office.get(f"/v1/population/{WUJIANG}/2019", headers=token(settings, dept)))
        assert read["registered_urban_population"] == 210_000
        ok(office.get("/v1/urbanisation/2019", headers=token(settings, dept)))
    error_of(
        office.get("/v1/urbanisation/2019", headers=token(settings, "housing")), 403, "forbidden"
    )


def test_a_change_replaces_the_figures_and_the_audit_log_keeps_the_ones_replaced(
    office: TestClient, settings: Settings, statistician: Headers
) -> None:
    put_population(office, statistician, WUJIANG, 2019, figures(400_000, 320_000, 350_000, 210_000))
    again = put_population(
        office, statistician, WUJIANG, 2019, figures(400_000, 320_000, 350_000, 220_000)
    )
    assert again["registered_urban_population"] == 220_000 and again["set_by"] == "dept:statistics"
    assert region(rates(office, statistician, 2019), WUJIANG)["registered_rate"] == 0.6286
    entries = ok(
        office.get(
            "/v1/audit",
            params={"entity_id": f"{WUJIANG}:2019"},
            headers=token(settings, "audit"),
        )
    )["items"]
    assert [e["action"] for e in entries] == ["population.set", "population.set"]
    first, second = entries
    assert first["detail"]["previous"] is None
    assert second["actor"] == "dept:statistics"
    assert second["detail"]["previous"]["registered_urban_population"] == 210_000
    assert second["detail"]["previous"]["set_by"] == "dept:statistics"
    assert second["detail"]["figures"]["registered_urban_population"] == 220_000


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"urban_resident_population": 400_001}, "urban_resident_population"),
        ({"registered_urban_population": 350_001}, "registered_urban_population"),
        ({"resident_population": -1}, "resident_population"),
        ({"registered_population": 0}, "registered_population"),
        ({"urban_resident_population": True}, "urban_resident_population"),
        ({"registered_urban_population": "210000"}, "registered_urban_population"),
        ({"source": "  "}, "source"),
        ({"note": "x"}, "note"),
    ],
)
def test_bad_figures_are_a_422_naming_the_field_and_nothing_is_written(
    office: TestClient, statistician: Headers, change: dict[str, Any], field: str
) -> None:
    body = {**figures(400_000, 320_000, 350_000, 210_000), **change}
    details = invalid(office.put(f"/v1/population/{WUJIANG}/2019", json=body, headers=statistician))
    assert reason_for(details, field)
    error_of(office.get(f"/v1/population/{WUJIANG}/2019", headers=statistician), 404, "not_found")


def test_a_missing_source_is_a_422_naming_it(office: TestClient, statistician: Headers) -> None:
    body = figures(400_000, 320_000, 350_000, 210_000)
    del body["source"]
    details = invalid(office.put(f"/v1/population/{WUJIANG}/2019", json=body, headers=statistician))
    assert reason_for(details, "source")


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/v1/population/441402/2019", "region_code"),  # 梅江区: not Shaoguan's
        ("/v1/population/440200/1999", "year"),
        ("/v1/population/440203/{next_year}", "year"),
    ],
)
def test_a_place_or_year_not_kept_is_a_422_naming_it(
    office: TestClient, statistician: Headers, path: str, field: str
) -> None:
    url = path.format(next_year=clock.today().year + 1)
    body = figures(400_000, 320_000, 350_000, 210_000)
    assert reason_for(invalid(office.put(url, json=body, headers=statistician)), field)
    details = invalid(office.get(url, headers=statistician))
    assert reason_for(details, field)
    for year in (1999, clock.today().year + 1):
        assert reason_for(
            invalid(office.get(f"/v1/urbanisation/{year}", headers=statistician)), "year"
        )
