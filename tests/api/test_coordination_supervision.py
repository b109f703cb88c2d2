"""The office's supervision of open items (四(三) 纳入市政府督查工作范围): what is due by a day
across every department, how late, and the follow-up list (督办) that chases an item until the
department's own report closes it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from services.coordination.rebuild import rebuild
from shared.auth import issue_token
from shared.settings import Settings
from tests.api.coordination_supervision_support import (
    QUJIANG,
    at,
    chase,
    coordinator,
    get,
    quiet_office,
)
from tests.api.coordination_support import deliver, item, report
from tests.settlements import approval, settlement
from tests.support import WUJIANG, error_of, invalid, ok, reason_for, token

# 17:00 UTC on 17 December is already the 18th in Shaoguan: what is due on the 18th is due.
NOW = datetime(2026, 12, 17, 17, 0, tzinfo=UTC)
LATE = item("housing.monthly_household_income", due_on="2026-12-16")  # two Shaoguan days late
TODAY = item("housing.current_area_m2", due_on="2026-12-18")  # due today in Shaoguan only
LATER = item("housing.residence_since", due_on="2026-12-25")
UNDATED = item("parameters.housing_area_limit", kind="parameter")
YESTERDAY = item("housing.monthly_household_income", due_on="2026-12-17")  # pension's, in 曲江


@pytest.fixture
def office(settings: Settings) -> Iterator[TestClient]:
    with quiet_office(settings) as client, at(NOW):
        yield client


def undated(entry: dict[str, object]) -> dict[str, object]:
    return {**entry, "due_on": None}


def housing_asks(client: TestClient, settings: Settings) -> str:
    """A 武江 family housing asks four things of, and one in 曲江 pension asks one of."""
    family, other = settlement(), settlement(destination_region_code=QUJIANG)
    deliver(
        client,
        settings,
        approval(family),
        approval(other),
        report(family.settlement_id, "housing", 1, "action_needed", LATER, TODAY, LATE),
        report(family.settlement_id, "pension", 1, "action_needed", undated(UNDATED)),
        report(other.settlement_id, "pension", 1, "action_needed", YESTERDAY),
    )
    return family.settlement_id


def fields(page: dict) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(i["service"], i["field"]) for i in page["items"]]


def test_the_items_due_by_today_are_listed_oldest_due_first_with_their_lateness(
    office: TestClient, settings: Settings
) -> None:
    family = housing_asks(office, settings)
    page = get(office, settings, "/v1/open-items")
    assert page["total"] == 3
    assert fields(page) == [
        ("housing", LATE["field"]),
        ("pension", LATE["field"]),
        ("housing", TODAY["field"]),
    ]
    first = page["items"][0]
    assert first["settlement_id"] == family
    assert (first["department"], first["region_code"], first["kind"]) == (
        "housing",
        WUJIANG,
        "information",
    )
    assert (first["due_on"], first["overdue_days"], first["chased"]) == ("2026-12-16", 2, False)
    assert (page["items"][1]["region_code"], page["items"][1]["overdue_days"]) == (QUJIANG, 1)
    # Due today on Shaoguan's calendar, so due, and not yet late.
    assert (page["items"][2]["due_on"], page["items"][2]["overdue_days"]) == ("2026-12-18", 0)


def test_a_later_day_takes_the_items_due_by_then_and_undated_ones_only_when_asked(
    office: TestClient, settings: Settings
) -> None:
    housing_asks(office, settings)
    by_christmas = get(office, settings, "/v1/open-items", due_by="2026-12-25")
    assert fields(by_christmas)[-1] == ("housing", LATER["field"])
    assert by_christmas["total"] == 4
    with_undated = get(
        office, settings, "/v1/open-items", due_by="2026-12-25", include_undated="true"
    )
    assert fields(with_undated)[-1] == ("pension", UNDATED["field"])
    assert with_undated["items"][-1]["overdue_days"] == 0
    before = get(office, settings, "/v1/open-items", due_by="2026-12-15")
    assert before["total"] == 0


def test_the_list_filters_by_county_and_department(office: TestClient, settings: Settings) -> None:
    housing_asks(office, settings)
    qujiang = get(office, settings, "/v1/open-items", region_code=QUJIANG)
    assert fields(qujiang) == [("pension", LATE["field"])]
    pension = get(office, settings, "/v1/open-items", department="pension", due_by="2026-12-31")
    assert fields(pension) == [("pension", LATE["field"])]
    paged = get(office, settings, "/v1/open-items", page_size=2, page=2)
    assert (paged["total"], fields(paged)) == (3, [("housing", TODAY["field"])])


def test_an_item_done_before_it_is_due_leaves_the_list(
    office: TestClient, settings: Settings
) -> None:
    family = housing_asks(office, settings)
    deliver(office, settings, report(family, "housing", 2, "action_needed", LATER, made=60))
    assert fields(get(office, settings, "/v1/open-items", department="housing")) == []
    deliver(office, settings, report(family, "housing", 3, "done", made=120))
    everything = get(office, settings, "/v1/open-items", due_by="2027-12-31")
    assert [i["service"] for i in everything["items"]] == ["pension"]


def test_the_summary_counts_open_due_and_overdue_per_county_and_department(
    office: TestClient, settings: Settings
) -> None:
    housing_asks(office, settings)
    summary = get(office, settings, "/v1/open-items/summary")
    assert summary["as_of"] == "2026-12-18"
    assert summary["total"] == {"open": 5, "due": 3, "overdue": 2, "oldest_overdue_days": 2}
    counties = {c["region_code"]: c for c in summary["counties"]}
    assert len(counties) == 10
    assert counties[WUJIANG] | {"region_code": None} == {
        "region_code": None,
        "open": 4,
        "due": 2,
        "overdue": 1,
        "oldest_overdue_days": 2,
    }
    assert (counties[QUJIANG]["open"], counties[QUJIANG]["overdue"]) == (1, 1)
    assert counties["440281"]["open"] == 0 and counties["440281"]["oldest_overdue_days"] is None
    housing = next(d for d in summary["departments"] if d["service"] == "housing")
    assert (housing["open"], housing["due"], housing["overdue"]) == (3, 2, 1)
    later = get(office, settings, "/v1/open-items/summary", as_of="2026-12-26")
    assert later["total"] == {"open": 5, "due": 4, "overdue": 4, "oldest_overdue_days": 10}


def test_a_chased_item_is_closed_by_the_departments_report(
    office: TestClient, settings: Settings
) -> None:
    family = housing_asks(office, settings)
    opened = ok(chase(office, settings, family, LATE["id"], service="housing", key="k1"), 201)
    assert (opened["state"], opened["service"], opened["field"]) == (
        "open",
        "housing",
        LATE["field"],
    )
    assert opened["opened_by"] == "dept:coordination"
    assert [c["asked_office"] for c in opened["chases"]] == ["住房保障科"]
    # The same key and body again: the first answer, and no second chase.
    again = chase(office, settings, family, LATE["id"], service="housing", key="k1")
    assert ok(again, 201) == opened
    other_body = chase(office, settings, family, LATE["id"], office="住建局", key="k1")
    error_of(other_body, 409, "conflict")
    listed = get(office, settings, "/v1/open-items")["items"][0]
    assert (listed["chased"], listed["follow_up_id"]) == (True, opened["id"])

    chased = ok(
        chase(office, settings, family, LATE["id"], service="housing", office="住建局"), 201
    )
    assert chased["id"] == opened["id"]
    assert [c["asked_office"] for c in chased["chases"]] == ["住房保障科", "住建局"]

    closing = report(family, "housing", 2, "action_needed", LATER, TODAY, made=90)
    deliver(office, settings, closing)
    closed = get(office, settings, f"/v1/follow-ups/{opened['id']}")
    assert closed["state"] == "closed"
    assert closed["closed_by_event_id"] == closing.get_id()
    assert closed["closed_at"] == "2026-12-02T10:30:00Z"
    assert "no longer lists" in closed["closed_reason"]
    assert len(closed["chases"]) == 2
    assert get(office, settings, "/v1/follow-ups", state="open")["total"] == 0
    assert [f["id"] for f in get(office, settings, "/v1/follow-ups", state="closed")["items"]] == [
        opened["id"]
    ]


def test_a_failure_leaves_the_follow_up_open_and_done_closes_it(
    office: TestClient, settings: Settings
) -> None:
    family = housing_asks(office, settings)
    opened = ok(chase(office, settings, family, LATE["id"]), 201)
    deliver(office, settings, report(family, "housing", 2, "failed", made=30))
    assert get(office, settings, f"/v1/follow-ups/{opened['id']}")["state"] == "open"
    done = report(family, "housing", 3, "done", made=60)
    deliver(office, settings, done)
    closed = get(office, settings, f"/v1/follow-ups/{opened['id']}")
    assert (closed["state"], closed["closed_by_event_id"]) == ("closed", done.get_id())
    assert closed["closed_reason"] == "the department reported the settlement done"


def test_every_follow_up_step_is_in_the_audit_log(office: TestClient, settings: Settings) -> None:
    family = housing_asks(office, settings)
    opened = ok(chase(office, settings, family, LATE["id"]), 201)
    officer = {
        "Authorization": "Bearer " + issue_token(settings, dept="coordination", officer="co-7")
    }
    body = {
        "settlement_id": family,
        "item_id": LATE["id"],
        "asked": {"office": "住建局", "contact": "值班室"},
    }
    again = ok(office.post("/v1/follow-ups", headers=officer, json=body), 201)
    assert [c["chased_by"] for c in again["chases"]] == [
        "dept:coordination",
        "dept:coordination/officer:co-7",
    ]
    deliver(office, settings, report(family, "housing", 2, "done", made=60))
    entries = ok(
        office.get(
            "/v1/audit", params={"entity_id": opened["id"]}, headers=token(settings, "audit")
        )
    )["items"]
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("follow_up.opened", "dept:coordination"),
        ("follow_up.chased", "dept:coordination/officer:co-7"),
        ("follow_up.closed", "event:housing.settlement.processed"),
    ]


def test_an_item_that_is_not_open_is_not_chased(office: TestClient, settings: Settings) -> None:
    family = housing_asks(office, settings)
    deliver(office, settings, report(family, "housing", 2, "done", made=60))
    reason = reason_for(
        invalid(chase(office, settings, family, LATE["id"], service="housing")), "item_id"
    )
    assert "is not an open item" in reason
    assert "item_id" in {d["field"] for d in invalid(chase(office, settings, family, "nothing"))}
    unknown = chase(office, settings, "no-such-settlement", LATE["id"])
    error_of(unknown, 404, "not_found")
    missing = office.get("/v1/follow-ups/no-such-follow-up", headers=coordinator(settings))
    assert (
        error_of(missing, 404, "not_found")["message"] == "there is no follow-up no-such-follow-up"
    )
    assert get(office, settings, "/v1/follow-ups")["total"] == 0


def test_whom_the_office_asked_is_an_office_never_a_person(
    office: TestClient, settings: Settings
) -> None:
    family = housing_asks(office, settings)
    person = "441402198805010139"
    details = invalid(
        chase(office, settings, family, LATE["id"], asked={"office": "", "contact": person})
    )
    assert {d["field"] for d in details} >= {"asked.office", "asked.contact"}
    assert person not in str(details)
    too_long = invalid(chase(office, settings, family, LATE["id"], office="科" * 81))
    assert reason_for(too_long, "asked.office")
    assert get(office, settings, "/v1/follow-ups")["total"] == 0


def test_only_the_coordination_office_chases(office: TestClient, settings: Settings) -> None:
    family = housing_asks(office, settings)
    body = {
        "settlement_id": family,
        "item_id": LATE["id"],
        "asked": {"office": "住房保障科", "contact": "0751-0000000"},
    }
    for headers in (
        token(settings, "housing"),
        token(settings, "public_security"),
        token(settings, "coordination", "coordination:read"),
    ):
        error_of(office.post("/v1/follow-ups", headers=headers, json=body), 403, "forbidden")
    error_of(office.get("/v1/open-items", headers=token(settings, "housing")), 403, "forbidden")
    # Public security, which leads the coordination mechanism (四(一)), reads the list.
    ok(office.get("/v1/open-items", headers=token(settings, "public_security")))
    assert get(office, settings, "/v1/follow-ups")["total"] == 0


def test_a_bad_filter_is_a_422_naming_it(office: TestClient, settings: Settings) -> None:
    headers = coordinator(settings)
    for path, params, field in (
        ("/v1/open-items", {"due_by": "2026-13-01"}, "due_by"),
        ("/v1/open-items", {"region_code": "441402"}, "region_code"),
        ("/v1/open-items", {"department": "coordination"}, "department"),
        ("/v1/open-items/summary", {"as_of": "tomorrow"}, "as_of"),
        ("/v1/follow-ups", {"state": "pending"}, "state"),
    ):
        assert reason_for(invalid(office.get(path, headers=headers, params=params)), field)


def test_the_days_are_shaoguans_at_17_utc(office: TestClient, settings: Settings) -> None:
    housing_asks(office, settings)
    # 15:59 UTC on the 17th is 23:59 on the 17th in Shaoguan: what is due on the 18th is not due.
    with at(datetime(2026, 12, 17, 15, 59, tzinfo=UTC)):
        page = get(office, settings, "/v1/open-items")
        assert [(i["due_on"], i["overdue_days"]) for i in page["items"]] == [
            ("2026-12-16", 1),
            ("2026-12-17", 0),
        ]
    # 17:00 UTC on the 17th is 01:00 on the 18th: it is due, and the others a day later each.
    page = get(office, settings, "/v1/open-items")
    assert [(i["due_on"], i["overdue_days"]) for i in page["items"]] == [
        ("2026-12-16", 2),
        ("2026-12-17", 1),
        ("2026-12-18", 0),
    ]


def test_a_rebuild_reads_the_items_again_and_keeps_the_follow_ups(
    office: TestClient, settings: Settings
) -> None:
    family = housing_asks(office, settings)
    chased = ok(chase(office, settings, family, LATE["id"], service="housing"), 201)
    before = get(office, settings, "/v1/open-items", due_by="2027-12-31", include_undated="true")
    runtime = office.app.state.runtime  # type: ignore[attr-defined]
    assert rebuild(runtime.db, runtime.bus, runtime.keyring, idle_polls=1) == 5
    after = get(office, settings, "/v1/open-items", due_by="2027-12-31", include_undated="true")
    assert after == before
    assert after["items"][0]["follow_up_id"] == chased["id"]
    assert get(office, settings, f"/v1/follow-ups/{chased['id']}") == chased
