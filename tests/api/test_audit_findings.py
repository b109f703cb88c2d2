"""Audit findings followed to closure (四(四) 强化审计监督): audit records a finding against a
county or a department, the department named records its rectification (整改) steps, audit
closes or reopens it; the list shows the days overdue on Shaoguan's calendar."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.coordination.app import build
from shared import clock
from shared.settings import Settings
from tests.support import WUJIANG, Headers, error_of, invalid, ok, person_id, reason_for, token

FINDINGS = "/v1/audit-findings"
BORN = date(1990, 1, 1)


@pytest.fixture
def office(settings: Settings) -> Iterator[TestClient]:
    with TestClient(build(settings.model_copy(update={"start_workers": False}))) as client:
        yield client


@pytest.fixture
def auditor(settings: Settings) -> Headers:
    return token(settings, "audit")


def in_days(days: int) -> str:
    return (clock.today() + timedelta(days=days)).isoformat()


def body(**changed: Any) -> dict[str, Any]:
    found = {
        "department": "pension",
        "title": "Continuations confirmed late",
        "clause": "三(七)",
        "description": "Half the continuations of the quarter were confirmed after 30 days.",
        "due_on": in_days(30),
    }
    return {**found, **changed}


def opened(office: TestClient, auditor: Headers, **changed: Any) -> dict[str, Any]:
    response = office.post(FINDINGS, json=body(**changed), headers=auditor)
    assert response.status_code == 201, response.text
    return dict(response.json())


def answer(office: TestClient, headers: Headers, finding_id: str, text: str) -> Any:
    return office.post(f"{FINDINGS}/{finding_id}/responses", json={"text": text}, headers=headers)


def audit_log(office: TestClient, auditor: Headers) -> list[dict[str, Any]]:
    return list(ok(office.get("/v1/audit", headers=auditor))["items"])


class TestOpening:
    def test_audit_opens_a_finding_against_a_departments_service(
        self, office: TestClient, auditor: Headers
    ) -> None:
        finding = opened(office, auditor)
        assert finding["department"] == "human_resources"  # pension's department answers it
        assert finding["service"] == "pension"
        assert (finding["state"], finding["overdue_days"], finding["steps"]) == ("open", 0, [])
        assert finding["opened_by"] == "dept:audit"
        assert ok(office.get(f"{FINDINGS}/{finding['id']}", headers=auditor)) == finding
        (entry,) = audit_log(office, auditor)
        assert (entry["action"], entry["entity_id"]) == ("finding.opened", finding["id"])

    def test_a_countys_finding_is_the_coordination_offices_to_answer(
        self, office: TestClient, auditor: Headers
    ) -> None:
        finding = opened(office, auditor, department=None, region_code=WUJIANG)
        assert (finding["region_code"], finding["department"]) == (WUJIANG, "coordination")

    def test_only_audit_opens_one(self, office: TestClient, settings: Settings) -> None:
        for dept in ("coordination", "human_resources", "public_security"):
            refused = office.post(FINDINGS, json=body(), headers=token(settings, dept))
            assert error_of(refused, 403, "forbidden")

    @pytest.mark.parametrize(
        ("changed", "field"),
        [
            ({"clause": "四(九)"}, "clause"),
            ({"clause": "第十二条"}, "clause"),
            ({"due_on": in_days(-1)}, "due_on"),
            ({"department": "nowhere"}, "department"),
            ({"department": "audit"}, "department"),
            ({"region_code": "110101", "department": None}, "region_code"),
            ({"title": ""}, "title"),
            ({"description": "the file of 440203199001011234 was late"}, "description"),
            ({"title": f"late for {person_id(BORN, WUJIANG)}"}, "title"),
            ({"region_code": WUJIANG}, "department"),
            ({"department": None}, "region_code"),
        ],
    )
    def test_bad_input_is_422_naming_the_field_and_nothing_is_written(
        self, office: TestClient, auditor: Headers, changed: dict[str, Any], field: str
    ) -> None:
        refused = office.post(FINDINGS, json=body(**changed), headers=auditor)
        assert reason_for(invalid(refused), field), refused.text
        assert "440203199001011234" not in refused.text
        assert ok(office.get(FINDINGS, headers=auditor))["total"] == 0
        assert audit_log(office, auditor) == []

    def test_the_same_idempotency_key_answers_the_first_finding_again(
        self, office: TestClient, auditor: Headers
    ) -> None:
        keyed = {**auditor, "Idempotency-Key": "finding-1"}
        first = office.post(FINDINGS, json=body(), headers=keyed)
        again = office.post(FINDINGS, json=body(), headers=keyed)
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
        assert ok(office.get(FINDINGS, headers=auditor))["total"] == 1
        other = office.post(FINDINGS, json=body(title="Another"), headers=keyed)
        assert error_of(other, 409, "conflict")


class TestFollowUp:
    def test_the_department_named_answers_and_audit_closes_it(
        self, office: TestClient, auditor: Headers, settings: Settings
    ) -> None:
        finding = opened(office, auditor)
        hr = token(settings, "human_resources")
        answered = answer(office, hr, finding["id"], "Confirmations now due within 15 days.")
        assert answered.status_code == 201, answered.text
        shown = answered.json()
        assert shown["state"] == "rectifying"
        (step,) = shown["steps"]
        assert (step["kind"], step["department"], step["actor"]) == (
            "response",
            "human_resources",
            "dept:human_resources",
        )
        closed = office.post(
            f"{FINDINGS}/{finding['id']}/close", json={"note": "Rectified."}, headers=auditor
        )
        assert ok(closed)["state"] == "closed" and closed.json()["closed_at"]
        assert [s["kind"] for s in closed.json()["steps"]] == ["response", "closed"]
        late = answer(office, hr, finding["id"], "One more step.")
        assert error_of(late, 409, "conflict")
        actions = [e["action"] for e in audit_log(office, auditor)]
        assert actions == ["finding.opened", "finding.answered", "finding.closed"]

    def test_another_department_is_refused(
        self, office: TestClient, auditor: Headers, settings: Settings
    ) -> None:
        finding = opened(office, auditor)
        for dept in ("housing", "education", "public_security"):
            refused = answer(office, token(settings, dept), finding["id"], "Not ours.")
            assert error_of(refused, 403, "forbidden")
        assert ok(office.get(f"{FINDINGS}/{finding['id']}", headers=auditor))["steps"] == []
        # Audit answers none: it audits, and holds no scope to answer with.
        assert error_of(answer(office, auditor, finding["id"], "Ours?"), 403, "forbidden")

    def test_the_coordination_office_may_answer_any(
        self, office: TestClient, auditor: Headers, settings: Settings
    ) -> None:
        finding = opened(office, auditor, department="education")
        coordinated = answer(office, token(settings, "coordination"), finding["id"], "Convened.")
        assert coordinated.status_code == 201
        county = opened(office, auditor, department=None, region_code=WUJIANG)
        refused = answer(office, token(settings, "education"), county["id"], "Ours?")
        assert error_of(refused, 403, "forbidden")

    def test_a_closed_finding_is_reopened_with_a_new_due_day(
        self, office: TestClient, auditor: Headers
    ) -> None:
        finding = opened(office, auditor)
        close = f"{FINDINGS}/{finding['id']}/close"
        reopen = {"outcome": "reopened", "note": "Not rectified", "due_on": in_days(60)}
        assert error_of(
            office.post(close, json=reopen, headers=auditor), 409, "conflict"
        )  # not closed
        ok(office.post(close, json={"note": "Closed."}, headers=auditor))
        assert error_of(
            office.post(close, json={"note": "Again."}, headers=auditor), 409, "conflict"
        )
        again = ok(office.post(close, json=reopen, headers=auditor))
        assert (again["state"], again["due_on"], again["closed_at"]) == ("open", in_days(60), None)

    def test_an_identity_number_in_a_step_is_refused(
        self, office: TestClient, auditor: Headers, settings: Settings
    ) -> None:
        finding = opened(office, auditor)
        hr = token(settings, "human_resources")
        refused = answer(office, hr, finding["id"], f"Called {person_id(BORN, WUJIANG)}.")
        assert reason_for(invalid(refused), "text")

    def test_an_unknown_finding_is_404(self, office: TestClient, auditor: Headers) -> None:
        assert error_of(office.get(f"{FINDINGS}/nothing", headers=auditor), 404, "not_found")


class TestListing:
    def test_overdue_findings_are_listed_with_their_days_on_shaoguans_calendar(
        self, office: TestClient, auditor: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        soon = opened(office, auditor, due_on=in_days(2), title="Soon")
        later = opened(office, auditor, department="housing", due_on=in_days(20), title="Later")
        closed = opened(office, auditor, due_on=in_days(1), title="Closed")
        ok(office.post(f"{FINDINGS}/{closed['id']}/close", json={"note": "Done."}, headers=auditor))
        today = clock.today()
        monkeypatch.setattr(clock, "today", lambda: today + timedelta(days=5))
        listed = ok(office.get(FINDINGS, headers=auditor, params={"overdue": "true"}))
        assert [(f["title"], f["overdue_days"]) for f in listed["items"]] == [("Soon", 3)]
        every = ok(office.get(FINDINGS, headers=auditor))["items"]
        assert [(f["title"], f["overdue_days"]) for f in every] == [
            ("Closed", 0),
            ("Soon", 3),
            ("Later", 0),
        ]
        mine = ok(office.get(FINDINGS, headers=auditor, params={"department": "housing"}))
        assert [f["id"] for f in mine["items"]] == [later["id"]]
        by_service = ok(office.get(FINDINGS, headers=auditor, params={"department": "pension"}))
        assert {f["id"] for f in by_service["items"]} == {soon["id"], closed["id"]}
        open_ones = ok(office.get(FINDINGS, headers=auditor, params={"state": "closed"}))
        assert [f["id"] for f in open_ones["items"]] == [closed["id"]]

    def test_by_county(self, office: TestClient, auditor: Headers) -> None:
        county = opened(office, auditor, department=None, region_code=WUJIANG)
        opened(office, auditor)
        found = ok(office.get(FINDINGS, headers=auditor, params={"region_code": WUJIANG}))
        assert [f["id"] for f in found["items"]] == [county["id"]]

    def test_every_department_reads_them_and_the_others_do_not(
        self, office: TestClient, settings: Settings
    ) -> None:
        for dept in ("housing", "coordination", "public_security", "audit"):
            assert office.get(FINDINGS, headers=token(settings, dept)).is_success
        assert error_of(office.get(FINDINGS, headers=token(settings, "finance")), 403, "forbidden")
