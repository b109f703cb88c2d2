"""A family's progress at the coordination office (四(一) 市公安局牵头负责的协调机制; 四(三)
纳入市政府督查工作范围): each bureau's status and open items, who must act next, and every event,
as the departments reported them, whatever order they arrive in."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from shared import clock
from shared.registry import DOWNSTREAM_SERVICES
from shared.settings import Settings
from tests.api.coordination_support import deliver, item, report
from tests.settlements import approval, settlement
from tests.support import WUJIANG, Headers, error_of, invalid, ok, reason_for, token

QUJIANG = "440205"  # 曲江区


@pytest.fixture
def coordinator(settings: Settings) -> Headers:
    return token(settings, "coordination")


def progress(client: TestClient, headers: Headers, settlement_id: str) -> dict:  # type: ignore[type-arg]
    return ok(client.get(f"/v1/settlements/{settlement_id}", headers=headers))


def test_an_approval_leaves_every_department_to_decide(
    office: TestClient, settings: Settings, coordinator: Headers
) -> None:
    family = settlement()
    deliver(office, settings, approval(family))
    shown = progress(office, coordinator, family.settlement_id)
    assert shown["status"] == "awaiting"
    assert shown["approval"]["region_code"] == WUJIANG
    assert shown["approval"]["household_size"] == 3
    assert [d["status"] for d in shown["departments"]] == ["awaiting"] * len(DOWNSTREAM_SERVICES)
    assert {(n["service"], n["action"]) for n in shown["next"]} == {
        (service, "decide") for service in DOWNSTREAM_SERVICES
    }
    assert [e["type"] for e in shown["timeline"]] == ["cn.gov.shaoguan.hukou.settlement.approved"]
    # Nothing of the family reaches the office: no name, no identity number.
    text = json.dumps(shown, ensure_ascii=False)
    assert all(m.id_number not in text and str(m.name) not in text for m in family.members)


def test_an_open_item_names_who_acts_next_and_by_when(
    office: TestClient, settings: Settings, coordinator: Headers
) -> None:
    family = settlement()
    asked = item("housing.monthly_household_income", due_on="2026-12-16")
    waiting = item("parameters.follow_through_days", kind="parameter", due_on="2026-12-20")
    deliver(
        office,
        settings,
        approval(family),
        report(family.settlement_id, "housing", 1, "action_needed", waiting, asked),
    )
    shown = progress(office, coordinator, family.settlement_id)
    assert shown["status"] == "action_needed"
    housing = next(d for d in shown["departments"] if d["service"] == "housing")
    assert housing["status"] == "action_needed"
    assert housing["department"] == "housing"
    assert [i["field"] for i in housing["open_items"]] == [waiting["field"], asked["field"]]
    first, second = shown["next"][:2]
    assert (first["action"], first["field"], first["due_on"]) == (
        "supply_information",
        asked["field"],
        "2026-12-16",
    )
    assert (second["action"], second["due_on"]) == ("record_parameter", "2026-12-20")


def test_the_latest_decision_wins_whatever_order_it_arrives_in(
    office: TestClient, settings: Settings, coordinator: Headers
) -> None:
    """A report read out of order, redelivered, or sent again under another id changes
    nothing: the department's latest version is its status, and each decision is one event."""
    family = settlement()
    first = report(family.settlement_id, "pension", 1, "action_needed", item("x"), made=1)
    second = report(family.settlement_id, "pension", 2, "done", made=2)
    again = report(family.settlement_id, "pension", 1, "action_needed", item("x"), made=3)
    deliver(office, settings, second, approval(family), first, second, again)
    shown = progress(office, coordinator, family.settlement_id)
    pension = next(d for d in shown["departments"] if d["service"] == "pension")
    assert (pension["status"], pension["version"], pension["open_items"]) == ("done", 2, [])
    reports = [e for e in shown["timeline"] if e["service"] == "pension"]
    assert [e["version"] for e in reports] == [1, 2]


def test_a_report_before_the_approval_is_kept_until_the_approval_comes(
    office: TestClient, settings: Settings, coordinator: Headers
) -> None:
    family = settlement()
    deliver(office, settings, report(family.settlement_id, "education", 1))
    early = progress(office, coordinator, family.settlement_id)
    assert early["approval"] is None
    deliver(office, settings, approval(family))
    later = progress(office, coordinator, family.settlement_id)
    assert later["approval"]["decision_date"] == family.decision_date.isoformat()
    education = next(d for d in later["departments"] if d["service"] == "education")
    assert education["status"] == "done"


def test_every_department_done_is_settled_and_one_failure_shows_first(
    office: TestClient, settings: Settings, coordinator: Headers
) -> None:
    family = settlement()
    dones = [report(family.settlement_id, s, 1) for s in DOWNSTREAM_SERVICES]
    deliver(office, settings, approval(family), *dones)
    assert progress(office, coordinator, family.settlement_id)["status"] == "settled"
    other = settlement()
    deliver(
        office,
        settings,
        approval(other),
        report(other.settlement_id, "housing", 1, "action_needed", item("y")),
        report(other.settlement_id, "pension", None, "failed"),
    )
    shown = progress(office, coordinator, other.settlement_id)
    assert shown["status"] == "failed"
    assert ("pension", "replay") in {(n["service"], n["action"]) for n in shown["next"]}


def test_an_unknown_settlement_is_a_404(office: TestClient, coordinator: Headers) -> None:
    error_of(office.get("/v1/settlements/nothing-heard", headers=coordinator), 404, "not_found")


@pytest.mark.parametrize(
    ("dept", "status"),
    [("coordination", 200), ("public_security", 200), ("audit", 200), ("housing", 403)],
)
def test_the_office_and_those_over_it_read_the_progress(
    office: TestClient, settings: Settings, dept: str, status: int
) -> None:
    """四(一): the office reads it, public security leads the mechanism, audit reads all."""
    answer = office.get("/v1/settlements", headers=token(settings, dept))
    assert answer.status_code == status


def _ids(client: TestClient, headers: Headers, **query: object) -> set[str]:
    page = ok(client.get("/v1/settlements", params=query, headers=headers))
    return {found["settlement_id"] for found in page["items"]}


def test_the_list_finds_by_county_department_status_and_age(
    office: TestClient, settings: Settings, coordinator: Headers
) -> None:
    ten_days = clock.today() - timedelta(days=10)
    decided = datetime.combine(ten_days, datetime.min.time(), tzinfo=UTC)
    older = settlement(decision_date=ten_days, decided_at=decided)
    elsewhere = settlement(destination_region_code=QUJIANG)
    deliver(
        office,
        settings,
        approval(older),
        approval(elsewhere),
        report(older.settlement_id, "housing", 1, "action_needed", item("z")),
        report(elsewhere.settlement_id, "housing", 1),
    )
    assert older.settlement_id in _ids(office, coordinator, region_code=WUJIANG)
    assert _ids(office, coordinator, region_code=QUJIANG) == {elsewhere.settlement_id}
    by_housing = _ids(office, coordinator, department="housing", status="action_needed")
    assert older.settlement_id in by_housing and elsewhere.settlement_id not in by_housing
    assert elsewhere.settlement_id in _ids(office, coordinator, department="housing", status="done")
    awaiting = _ids(office, coordinator, department="pension", status="awaiting")
    assert {older.settlement_id, elsewhere.settlement_id} <= awaiting
    # Approved ten days ago: at least 10 days old, not 11; at most 10, not 9.
    assert older.settlement_id in _ids(office, coordinator, min_age_days=10)
    assert older.settlement_id not in _ids(office, coordinator, min_age_days=11)
    assert older.settlement_id in _ids(office, coordinator, max_age_days=10)
    assert older.settlement_id not in _ids(office, coordinator, max_age_days=9)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"region_code": "440100"}, "region_code"),
        ({"status": "done"}, "status"),
        ({"department": "hukou"}, "department"),
        ({"min_age_days": 5, "max_age_days": 4}, "min_age_days"),
    ],
)
def test_a_filter_that_cannot_match_is_a_422_naming_it(
    office: TestClient, coordinator: Headers, query: dict[str, object], field: str
) -> None:
    answer = office.get("/v1/settlements", params=query, headers=coordinator)
    assert reason_for(invalid(answer), field)
