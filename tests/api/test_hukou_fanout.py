"""Hukou's fan-out (docs/contract.md, "Follow-through"): each department's column shows what it last
reported, and the family is settled exactly while every department is done.

Reports enter through hukou's own handler for `<service>.settlement.processed`, as its consumer
delivers them; the bus itself is the contract and e2e suites' business.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.hukou import handlers
from shared.events.envelope import CloudEvent, new_event
from shared.registry import processed_type
from shared.settlement import SettlementProcessed
from tests.api.conftest import application
from tests.api.hukou_support import DEPARTMENTS, HukouApiTests, approve, fetch, submitted
from tests.support import Headers, ok

OPENED = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def item(field: str, *, member_index: int | None = 1, kind: str = "information") -> dict[str, Any]:
    return {
        "id": f"item-{field}",
        "member_index": member_index,
        "field": field,
        "kind": kind,
        "reason": f"{field} is not known",
        "opened_at": OPENED.isoformat(),
        "due_on": "2026-12-16",
    }


def report_event(
    settlement_id: str,
    service: str,
    status: str,
    *,
    version: int | None,
    open_items: list[dict[str, Any]] = (),  # type: ignore[assignment]
    outcome: str = "done",
    on_topic_of: str | None = None,
) -> CloudEvent:
    data = SettlementProcessed.model_validate(
        {
            "settlement_id": settlement_id,
            "service": service,
            "outcome": outcome,
            "summary": f"{service} decided {status}",
            "status": status,
            "open_items": list(open_items),
            "version": version,
        }
    )
    return new_event(
        type_=processed_type(on_topic_of or service),
        source=f"/luohu/{service}",
        subject=settlement_id,
        data=data.model_dump(mode="json"),
    )


def deliver(client: TestClient, event: CloudEvent) -> None:
    with client.app.state.runtime.db.unit_of_work() as session:  # type: ignore[attr-defined]
        handlers.record_department_outcome(session, event)


class TestFanout(HukouApiTests):
    @pytest.fixture
    def settlement_id(self, hukou: TestClient, officer: Headers) -> str:
        created = submitted(hukou, officer, application())
        ok(approve(hukou, officer, created["id"]))
        return str(created["id"])

    def everyone_done_but(self, hukou: TestClient, settlement_id: str, service: str) -> None:
        for other in DEPARTMENTS:
            if other != service:
                deliver(hukou, report_event(settlement_id, other, "done", version=1))

    def test_a_department_with_open_items_keeps_the_family_approved_and_shows_them(
        self, hukou: TestClient, officer: Headers, settlement_id: str
    ) -> None:
        self.everyone_done_but(hukou, settlement_id, "pension")
        waiting = [item("social_insurance.employer_paid")]
        deliver(
            hukou,
            report_event(settlement_id, "pension", "action_needed", version=1, open_items=waiting),
        )

        shown = fetch(hukou, officer, settlement_id)
        assert shown["status"] == "approved"
        assert shown["settled_at"] is None
        assert shown["fanout"]["pension"] == "action_needed"
        assert [i["field"] for i in shown["fanout_open_items"]["pension"]] == [
            "social_insurance.employer_paid"
        ]
        assert shown["fanout_open_items"]["pension"][0]["member_index"] == 1
        assert set(shown["fanout_open_items"]) == {"pension"}, "the done ones owe nothing"

    def test_the_family_is_settled_when_the_last_department_reports_done(
        self, hukou: TestClient, officer: Headers, settlement_id: str
    ) -> None:
        self.everyone_done_but(hukou, settlement_id, "housing")
        gap = [item("housing.monthly_household_income", member_index=None)]
        deliver(
            hukou,
            report_event(settlement_id, "housing", "action_needed", version=1, open_items=gap),
        )
        assert fetch(hukou, officer, settlement_id)["status"] == "approved"

        deliver(hukou, report_event(settlement_id, "housing", "done", version=2))

        shown = fetch(hukou, officer, settlement_id)
        assert shown["status"] == "settled"
        assert shown["settled_at"] is not None
        assert shown["fanout"] == dict.fromkeys(DEPARTMENTS, "done")
        assert shown["fanout_open_items"] == {}

    def test_an_older_decision_read_late_does_not_undo_a_later_one(
        self, hukou: TestClient, officer: Headers, settlement_id: str
    ) -> None:
        self.everyone_done_but(hukou, settlement_id, "housing")
        deliver(hukou, report_event(settlement_id, "housing", "done", version=2))
        stale = [item("housing.monthly_household_income", member_index=None)]
        deliver(
            hukou,
            report_event(settlement_id, "housing", "action_needed", version=1, open_items=stale),
        )

        shown = fetch(hukou, officer, settlement_id)
        assert shown["fanout"]["housing"] == "done"
        assert shown["status"] == "settled"

    def test_the_same_report_twice_changes_nothing(
        self, hukou: TestClient, officer: Headers, settlement_id: str
    ) -> None:
        gap = [item("social_insurance.employer_paid")]
        event = report_event(settlement_id, "pension", "action_needed", version=1, open_items=gap)
        deliver(hukou, event)
        first = fetch(hukou, officer, settlement_id)
        deliver(hukou, event)
        assert fetch(hukou, officer, settlement_id) == first

    def test_a_dead_lettered_approval_shows_failed_until_the_replay_decides(
        self, hukou: TestClient, officer: Headers, settlement_id: str
    ) -> None:
        failure = report_event(settlement_id, "education", "failed", version=None, outcome="failed")
        deliver(hukou, failure)
        assert fetch(hukou, officer, settlement_id)["fanout"]["education"] == "failed"

        deliver(hukou, report_event(settlement_id, "education", "done", version=1))
        deliver(hukou, failure)  # the old failure read again is stale

        assert fetch(hukou, officer, settlement_id)["fanout"]["education"] == "done"

    def test_a_department_that_reopens_takes_the_family_back_to_approved(
        self, hukou: TestClient, officer: Headers, settlement_id: str
    ) -> None:
        self.everyone_done_but(hukou, settlement_id, "medical_insurance")
        deliver(hukou, report_event(settlement_id, "medical_insurance", "done", version=1))
        assert fetch(hukou, officer, settlement_id)["status"] == "settled"

        awaited = [item("medical_insurance.origin_confirmation", kind="confirmation")]
        deliver(
            hukou,
            report_event(
                settlement_id, "medical_insurance", "action_needed", version=2, open_items=awaited
            ),
        )

        shown = fetch(hukou, officer, settlement_id)
        assert shown["status"] == "approved"
        assert shown["settled_at"] is None
        assert shown["fanout"]["medical_insurance"] == "action_needed"

    def test_a_report_on_another_departments_topic_is_refused(
        self, hukou: TestClient, officer: Headers, settlement_id: str
    ) -> None:
        forged = report_event(settlement_id, "housing", "done", version=1, on_topic_of="education")
        with pytest.raises(ValueError, match="reports only on its own topic"):
            deliver(hukou, forged)
        assert fetch(hukou, officer, settlement_id)["fanout"]["housing"] == "pending"
