"""统计: both urbanisation rates and their gap per county and for the city, by year, drawn as
charts with their tables; 一.2's targets, 一.1's settled people, and no rate without figures."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.api.console_support import console, links_of, signed_in
from tests.api.statistics_support import CITY, figures, put_population
from tests.support import WUJIANG, token

__all__ = ["console"]


@pytest.fixture
def recorded(console: TestClient, settings: Settings) -> TestClient:
    """Statistics' figures for 2013 and 2018: the city's own, and 武江区's."""
    bureau = token(settings, "statistics")
    put_population(console, bureau, CITY, 2013, figures(2_900_000, 1_400_000, 3_300_000, 1_150_000))
    put_population(console, bureau, CITY, 2018, figures(3_000_000, 1_650_000, 3_350_000, 1_400_000))
    put_population(console, bureau, WUJIANG, 2018, figures(400_000, 300_000, 380_000, 250_000))
    return console


def row_of(page: str, heading: str) -> list[str]:
    """The cells of the table row whose header cell holds `heading`."""
    row = re.search(rf"<tr><th scope=\"row\">(?:<a [^>]*>)?{heading}(?:</a>)?</th>(.*?)</tr>", page)
    assert row, f"no row {heading}"
    return re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))


def test_the_rates_by_year_are_drawn_and_tabled(recorded: TestClient) -> None:
    page = signed_in(recorded, "coordination").get("/console/statistics")
    assert page.status_code == 200
    text = page.text
    assert text.count("<svg") == 2  # the city over the years, the counties in the latest
    assert all(link.startswith("/") or link.startswith("#") for link in links_of(text))
    # The city in 2018: 1,650,000 of 3,000,000 resident, 1,400,000 of 3,350,000 registered.
    assert row_of(text, "2018")[:3] == ["55.00%", "41.79%", "+13.21"]
    assert row_of(text, "2013")[:3] == ["48.28%", "34.85%", "+13.43"]


def test_a_year_shows_each_county_and_none_without_figures(recorded: TestClient) -> None:
    text = signed_in(recorded, "coordination").get("/console/statistics?year=2018").text
    assert row_of(text, "武江区")[:3] == ["75.00%", "65.79%", "+9.21"]
    assert row_of(text, "浈江区") == ["无数据"]  # no figures: no rate, never zero
    assert "户籍人口城镇化率提高到 45.00% 以上" in text and "未达到" in text


def test_without_figures_the_page_says_so(console: TestClient) -> None:
    text = signed_in(console, "finance").get("/console/statistics").text
    assert "尚未录入任何年份" in text and "<svg" not in text
    assert "“十三五”期间落户人数" in text


def test_a_department_without_report_reading_is_refused(console: TestClient) -> None:
    assert signed_in(console, "housing").get("/console/statistics").status_code == 403
