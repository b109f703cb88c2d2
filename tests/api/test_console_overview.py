"""全市总览 and the pages of a county and of a department: a year's approvals per county by
where each family stands, the items overdue today, the months and the targets drawn, and what
each county or department owes, the oldest due first."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from shared import clock
from shared.settings import Settings
from shared.settlement import SettlementApproved
from tests import settlements
from tests.api.console_departments_support import reaching
from tests.api.console_support import console, links_of, signed_in
from tests.api.coordination_support import deliver, item, report
from tests.conftest import TokenFactory
from tests.support import WUJIANG

__all__ = ["console"]

ZHENJIANG = "440204"  # 浈江区
INCOME = "housing.monthly_household_income"


def approved_in(year: int, month: int, region_code: str) -> SettlementApproved:
    """A family of three approved on the 10th of `month` of `year` to settle in `region_code`."""
    return settlements.settlement(
        decided_at=datetime(year, month, 10, 2, 0, tzinfo=UTC),
        decision_date=date(year, month, 10),
        destination_region_code=region_code,
    )


@pytest.fixture
def city(console: TestClient, settings: Settings) -> dict[str, str]:
    """Three families of 2019 and one of 2018: in 武江区 one that housing still asks (its item due
    ten days ago) and one that housing failed; in 浈江区 one on which no one has reported yet."""
    late = (clock.today() - timedelta(days=10)).isoformat()
    asked = approved_in(2019, 3, WUJIANG)
    failed = approved_in(2019, 7, WUJIANG)
    silent = approved_in(2019, 7, ZHENJIANG)
    older = approved_in(2018, 11, WUJIANG)
    deliver(
        console,
        settings,
        *(settlements.approval(data) for data in (asked, failed, silent, older)),
        report(asked.settlement_id, "housing", 1, "action_needed", item(INCOME, due_on=late)),
        report(failed.settlement_id, "housing", 1, "failed"),
    )
    return {
        "asked": asked.settlement_id,
        "failed": failed.settlement_id,
        "silent": silent.settlement_id,
        "older": older.settlement_id,
    }


def row_of(page: str, table: str, heading: str) -> list[str]:
    """The cells of the row of table `#table` whose header cell reads `heading`."""
    body = re.search(rf'<table class="data" id="{table}">(.*?)</table>', page, re.S)
    assert body, f"no table {table}"
    row = re.search(
        rf"<th scope=\"row\">(?:<a [^>]*>)?{heading}(?:</a>)?</th>(.*?)</tr>", body[1], re.S
    )
    assert row, f"no row {heading} in {table}"
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)
    ]


def test_each_county_counts_the_years_approvals_by_where_each_family_stands(
    console: TestClient, city: dict[str, str]
) -> None:
    page = signed_in(console, "coordination").get("/console/", params={"year": 2019})
    assert page.status_code == 200
    text = page.text
    # families, persons, settled, in progress, failed, overdue today
    assert row_of(text, "counties", "武江区") == ["2", "6", "0", "1", "1", "1(最久逾期 10 天)"]
    assert row_of(text, "counties", "浈江区") == ["1", "3", "0", "1", "0", "0"]
    assert row_of(text, "counties", "乐昌市") == ["0", "0", "0", "0", "0", "0"]
    assert row_of(text, "counties", "全市") == ["3", "9", "0", "2", "1", "1(最久逾期 10 天)"]
    assert row_of(text, "departments", "住房保障")[2:] == ["1", "1", "1(最久逾期 10 天)"]
    assert all(link.startswith(("/", "#")) for link in links_of(text))


def test_another_year_counts_its_own_approvals_and_the_same_overdue_items(
    console: TestClient, city: dict[str, str]
) -> None:
    text = signed_in(console, "coordination").get("/console/?year=2018").text
    assert row_of(text, "counties", "武江区") == ["1", "3", "0", "1", "0", "1(最久逾期 10 天)"]
    assert row_of(text, "counties", "浈江区") == ["0", "0", "0", "0", "0", "0"]


def test_the_months_are_drawn_and_the_targets_say_why_they_are_missing(
    console: TestClient, city: dict[str, str]
) -> None:
    text = signed_in(console, "coordination").get("/console/?year=2019").text
    assert text.count("<svg") == 1  # the months; no hukou to read the targets from
    assert "2019 年每月批准落户" in text
    assert "市公安局的年度目标暂不可读" in text


def test_each_county_is_drawn_against_the_target_public_security_set(
    console: TestClient, city: dict[str, str], hukou: TestClient, auth: TokenFactory
) -> None:
    put = hukou.put(
        f"/v1/settlement-targets/2019/{WUJIANG}",
        headers=auth("public_security"),
        json={"target_persons": 1200, "note": "工作方案"},
    )
    assert put.status_code == 200, put.text
    reaching(console, {"hukou": hukou})

    text = signed_in(console, "coordination").get("/console/?year=2019").text
    assert text.count("<svg") == 2
    assert "2019 年各区县落户人数与年度目标" in text and "暂不可读" not in text
    assert "1200" in text or "1,200" in text


def test_a_department_official_starts_on_its_own_queue(console: TestClient) -> None:
    answer = signed_in(console, "housing").get("/console/", follow_redirects=False)
    assert (answer.status_code, answer.headers["location"]) == (303, "/console/queue")
    nav = re.search(r"<nav .*?</nav>", console.get("/console/queue").text, re.S)
    assert nav and "本部门待办" in nav[0] and "全市总览" not in nav[0]


def test_a_year_out_of_range_is_refused_by_name(console: TestClient) -> None:
    answer = signed_in(console, "coordination").get("/console/?year=1999")
    assert answer.status_code == 422 and "year" in answer.text


def test_a_county_lists_what_it_is_owed_with_the_overdue_marked(
    console: TestClient, city: dict[str, str]
) -> None:
    page = signed_in(console, "coordination").get(f"/console/counties/{WUJIANG}")
    assert page.status_code == 200
    text = page.text
    items = re.search(r'<table class="data" id="items">(.*?)</table>', text, re.S)
    assert items and f'href="/console/settlements/{city["asked"]}"' in items[1]
    assert "逾期 10 天" in items[1] and 'class="late"' in items[1]
    assert "家庭月收入" in items[1]
    assert city["silent"] not in text  # 浈江区's
    # Every family of 武江区 is unfinished, the oldest approval first.
    families = re.search(r'<table class="data" id="families">(.*?)</table>', text, re.S)
    assert families
    order = [city[name] for name in ("older", "asked", "failed")]
    assert sorted(order, key=families[1].index) == order
    assert "住房保障(办理失败)" in families[1]


def test_a_department_lists_the_families_it_has_not_reported_on_or_failed(
    console: TestClient, city: dict[str, str]
) -> None:
    text = signed_in(console, "coordination").get("/console/departments/housing").text
    families = re.search(r'<table class="data" id="families">(.*?)</table>', text, re.S)
    assert families
    assert all(city[name] in families[1] for name in ("silent", "older", "failed"))
    assert city["asked"] not in families[1]  # its open item is listed instead
    items = re.search(r'<table class="data" id="items">(.*?)</table>', text, re.S)
    assert items and city["asked"] in items[1]

    pension = console.get("/console/departments/pension").text
    assert "没有未办结的事项" in pension and city["asked"] in pension  # pension owes its report


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/console/counties/110101", "韶关市没有行政区划代码为 110101 的区县"),
        ("/console/departments/finance", "没有承办落户配套事项的业务 finance"),
    ],
)
def test_an_unknown_county_or_department_is_not_found(
    console: TestClient, path: str, reason: str
) -> None:
    answer = signed_in(console, "coordination").get(path)
    assert answer.status_code == 404 and reason in answer.text


@pytest.mark.parametrize("path", [f"/console/counties/{WUJIANG}", "/console/departments/housing"])
def test_the_citys_pages_are_the_offices(console: TestClient, path: str) -> None:
    assert signed_in(console, "housing").get(path).status_code == 403
