"""本部门待办: a department's officials answer its open items through its own API, with their
own token; a refusal is shown beside the field it names; no one answers for another."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from services.coordination.console.queue import masked_members
from shared.settings import Settings
from tests import settlements
from tests.api.console_departments_support import department, followed, reaching
from tests.api.console_support import ORIGIN, console, signed_in
from tests.api.housing_support import PARAMETERS, configure
from tests.support import ok, token

__all__ = ["console", "department"]

INCOME, AREA = "housing.monthly_household_income", "housing.current_area_m2"


@pytest.fixture
def waiting(
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    console: TestClient,
    request: pytest.FixtureRequest,
) -> str:
    """A renting family that stated neither its income nor its dwelling: housing asks for both,
    and the office's model has the items."""
    configure(monkeypatch, PARAMETERS)
    housing: TestClient = request.getfixturevalue("department")
    reaching(console, {"housing": housing})
    data = settlements.settlement(residence={"tenure": "rented", "since": "2018-01-01"})
    return followed(settings, console, housing, data)


def answer_path(settlement_id: str) -> str:
    return f"/console/queue/housing/{settlement_id}/information"


def test_the_department_sees_its_items_with_a_form_of_the_facts_they_ask_for(
    console: TestClient, waiting: str
) -> None:
    page = signed_in(console, "housing").get("/console/queue").text
    assert waiting in page
    assert f'action="{answer_path(waiting)}"' in page
    assert f'name="{INCOME}"' in page and f'name="{AREA}"' in page
    assert "家庭月收入(元)" in page and "需补充材料" in page


def test_a_refused_value_is_shown_beside_its_field_and_the_others_kept(
    console: TestClient, waiting: str, department: TestClient, settings: Settings
) -> None:
    signed_in(console, "housing")
    form = {"member_index": "", INCOME: "-5", AREA: "12.5"}
    answer = console.post(answer_path(waiting), data=form, headers=ORIGIN)

    assert answer.status_code == 422
    page = answer.text
    field_id = re.search(rf'id="([^"]+)" name="{re.escape(INCOME)}"', page)
    assert field_id, page
    error_id = f"{field_id.group(1)}-error"
    assert f'aria-describedby="{error_id}"' in page
    error = re.search(rf'<p class="error" id="{error_id}">([^<]*)</p>', page)
    assert error and INCOME in error.group(1) and "greater than or equal to 0" in error.group(1)
    assert 'value="12.5"' in page  # the other value kept
    # Nothing was written: housing still asks for both.
    record = ok(department.get(f"/v1/settlements/{waiting}", headers=token(settings, "housing")))
    assert {item["field"] for item in record["open_items"]} >= {INCOME, AREA}


def test_an_answer_reaches_the_department_and_returns_to_the_queue_with_a_notice(
    console: TestClient, waiting: str, department: TestClient, settings: Settings
) -> None:
    signed_in(console, "housing", officer="zj-0007")
    form = {"member_index": "", INCOME: "2400", AREA: "0"}
    answer = console.post(answer_path(waiting), data=form, headers=ORIGIN, follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/console/queue?done=")
    record = ok(department.get(f"/v1/settlements/{waiting}", headers=token(settings, "housing")))
    assert {item["field"] for item in record["open_items"]}.isdisjoint({INCOME, AREA})
    assert record["version"] == 2
    # Recorded at housing as the official who answered, with the department's own token.
    audit = ok(department.get("/v1/audit", headers=token(settings, "audit")))["items"]
    assert any(entry["actor"] == "dept:housing/officer:zj-0007" for entry in audit)
    notice = console.get(answer.headers["location"]).text
    assert "已提交住房保障补充材料" in notice


@pytest.mark.parametrize("dept", ["education", "coordination"])
def test_no_other_department_answers_housings_items(
    console: TestClient, waiting: str, department: TestClient, settings: Settings, dept: str
) -> None:
    signed_in(console, dept)
    form = {"member_index": "", INCOME: "2400", AREA: "0"}
    answer = console.post(answer_path(waiting), data=form, headers=ORIGIN)

    assert answer.status_code == 403
    assert "只有市住建管理局可以办理" in answer.text
    record = ok(department.get(f"/v1/settlements/{waiting}", headers=token(settings, "housing")))
    assert record["version"] == 1


def test_the_office_sees_every_departments_queue_read_only(
    console: TestClient, waiting: str
) -> None:
    page = signed_in(console, "coordination").get("/console/queue").text
    assert waiting in page and "只读" in page
    assert "/information" not in page and f"/console/queue/housing/{waiting}" not in page


def test_another_department_sees_none_of_housings_items(console: TestClient, waiting: str) -> None:
    page = signed_in(console, "education").get("/console/queue").text
    assert waiting not in page and "本部门暂无待办" in page


def test_a_form_posted_from_another_site_is_refused(console: TestClient, waiting: str) -> None:
    signed_in(console, "housing")
    answer = console.post(
        answer_path(waiting), data={INCOME: "1"}, headers={"Origin": "http://evil.example"}
    )
    assert answer.status_code == 403


def test_the_departments_record_is_its_own_to_see(console: TestClient, waiting: str) -> None:
    page = signed_in(console, "housing").get(f"/console/queue/housing/{waiting}")
    assert page.status_code == 200 and "待补办" in page.text
    other = signed_in(console, "civil_affairs").get(f"/console/queue/housing/{waiting}")
    assert other.status_code == 403


def test_a_members_identity_number_is_shown_masked_and_nothing_else_of_them() -> None:
    record = {
        "placements": [
            {"member_index": 2, "name": "张小", "id_number": "44140220120303022X"},
            {"member_index": 1, "name": "李四", "id_number": "441402199003010228"},
        ]
    }
    assert masked_members(record) == {1: "4414**********0228", 2: "4414**********022X"}
