"""督办: the follow-ups and the weekly digest, on the page and as CSV files Excel reads in
Chinese, and the office's form that chases an open item."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from shared import clock
from shared.settings import Settings
from tests import settlements
from tests.api.console_support import ORIGIN, console, signed_in
from tests.api.coordination_support import deliver, item, report

__all__ = ["console"]

BOM = "\ufeff"


@pytest.fixture
def overdue(console: TestClient, settings: Settings) -> str:
    """A settlement in 武江区 whose housing item was due ten days ago: the item's key."""
    data = settlements.settlement()
    due = (clock.today() - timedelta(days=10)).isoformat()
    income = item("housing.monthly_household_income", due_on=due)
    deliver(
        console,
        settings,
        settlements.approval(data),
        report(data.settlement_id, "housing", 1, "action_needed", income),
    )
    return f"housing|{data.settlement_id}|{income['id']}"


def chase_form(key: str, **overrides: str) -> dict[str, str]:
    return {
        "item": key,
        "office": "住房保障科",
        "contact": "科室值班电话 0751-0000000",
        "note": "请在三日内补正",
        **overrides,
    }


def rows_of(answer_text: str) -> list[list[str]]:
    assert answer_text.startswith(BOM)
    return list(csv.reader(io.StringIO(answer_text.removeprefix(BOM))))


def test_the_office_chases_an_overdue_item_and_the_follow_up_is_listed(
    console: TestClient, overdue: str
) -> None:
    page = signed_in(console, "coordination", officer="xt-0001").get("/console/supervision")
    assert page.status_code == 200
    assert f'value="{overdue}"' in page.text and "逾期 10 天" in page.text

    answer = console.post(
        "/console/supervision/chase",
        data=chase_form(overdue),
        headers=ORIGIN,
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/supervision?done=")
    _, settlement_id, _ = overdue.split("|")
    listed = console.get("/console/supervision?state=open").text
    assert f"<td>{settlement_id}</td>" in listed and "<td>督办中</td>" in listed

    download = console.get("/console/supervision/follow-ups.csv")
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in download.headers["content-disposition"]
    header, row = rows_of(download.content.decode("utf-8"))
    assert header[:4] == ["督办编号", "落户申请", "承办部门", "业务"]
    assert row[1:5] == [settlement_id, "市住建管理局", "住房保障", "440203"]
    assert row[8] == "督办中" and row[10] == "1" and row[11] == "住房保障科"


def test_a_chase_missing_whom_was_asked_is_shown_beside_the_field_values_kept(
    console: TestClient, overdue: str
) -> None:
    signed_in(console, "coordination")
    answer = console.post(
        "/console/supervision/chase", data=chase_form(overdue, office=""), headers=ORIGIN
    )
    assert answer.status_code == 422
    assert 'aria-describedby="chase-office-error"' in answer.text
    assert 'id="chase-office-error">请填写此项' in answer.text
    assert 'value="科室值班电话 0751-0000000"' in answer.text
    assert "暂无督办" in answer.text  # nothing was chased


def test_the_weekly_digest_downloads_as_csv_per_county(console: TestClient, overdue: str) -> None:
    signed_in(console, "coordination")
    week = clock.today().strftime("%G-W%V")
    download = console.get(f"/console/supervision/digest.csv?week={week}")
    assert download.status_code == 200
    header, *counties = rows_of(download.content.decode("utf-8"))
    assert header[:4] == ["周", "区县代码", "区县", "本周审批通过"]
    assert len(counties) == 10
    wujiang = next(row for row in counties if row[1] == "440203")
    assert wujiang[0] == week and wujiang[2] == "武江区"
    assert wujiang[header.index("逾期事项")] == "1"


def test_a_week_that_is_not_one_is_shown_beside_its_field(console: TestClient) -> None:
    signed_in(console, "coordination")
    answer = console.get("/console/supervision?week=2026-W99")
    assert answer.status_code == 422
    assert 'aria-describedby="week-error"' in answer.text
    assert console.get("/console/supervision/digest.csv?week=last").status_code == 422


def test_the_audit_reads_the_supervision_and_may_not_chase(
    console: TestClient, overdue: str
) -> None:
    page = signed_in(console, "audit").get("/console/supervision")
    assert page.status_code == 200 and 'action="/console/supervision/chase"' not in page.text
    answer = console.post("/console/supervision/chase", data=chase_form(overdue), headers=ORIGIN)
    assert answer.status_code == 403


def test_a_department_does_not_see_the_supervision(console: TestClient) -> None:
    signed_in(console, "housing")
    assert console.get("/console/supervision").status_code == 403
    assert console.get("/console/supervision/follow-ups.csv").status_code == 403
