"""The hukou API: approving (the fan-out begins, settlement.approved is published) and rejecting."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.hukou.models import TABLES
from shared.events.sealing import SEALED, open_section
from shared.keys import keyring_for
from shared.registry import DOWNSTREAM_SERVICES
from shared.settings import Settings
from shared.settlement import CLEAR
from tests.api.conftest import application
from tests.api.hukou_support import (
    APPROVED_TOPIC,
    APPROVED_TYPE,
    DEPARTMENTS,
    TRIAL,
    HukouApiTests,
    approve,
    approved_events,
    fetch,
    ineligible_body,
    outbox_rows,
    reject,
    submitted,
    undetermined_body,
)
from tests.conftest import TokenFactory
from tests.support import WUJIANG, Headers, error_of, eventually, invalid, read_topic, reason_for


class TestApprove(HukouApiTests):
    def test_approving_an_eligible_application_makes_it_approved_with_every_department_pending(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, application())

        response = approve(hukou, officer, created["id"])

        assert response.status_code == 200
        assert response.json()["status"] == "approved"
        assert response.json()["approved_at"]
        assert response.json()["fanout"] == dict.fromkeys(DEPARTMENTS, "pending")
        stored = fetch(hukou, officer, created["id"])
        assert stored["status"] == "approved"
        assert stored["fanout"] == dict.fromkeys(DEPARTMENTS, "pending")

    def test_approving_an_ineligible_application_is_409_with_the_failing_checks(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, ineligible_body())

        error = error_of(approve(hukou, officer, created["id"]), 409, "conflict")

        assert "ineligible" in error["message"]
        assert [d["rule"] for d in error["details"]] == ["insured_one_year.insured_months"]
        assert error["details"][0]["outcome"] == "failed"
        assert error["details"][0]["clause"] == "二.2"
        assert fetch(hukou, officer, created["id"])["status"] == "ineligible"

    def test_approving_an_undetermined_application_is_409_naming_what_is_missing(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, undetermined_body())

        error = error_of(approve(hukou, officer, created["id"]), 409, "conflict")

        (detail,) = error["details"]
        assert detail["outcome"] == "undetermined"
        assert detail["missing"] == [
            "social_insurance.pension_months",
            "social_insurance.medical_months",
        ]
        assert fetch(hukou, officer, created["id"])["status"] == "submitted"

    def test_approving_twice_is_409(self, hukou: TestClient, officer: Headers) -> None:
        created = submitted(hukou, officer, application())
        assert approve(hukou, officer, created["id"]).status_code == 200

        error = error_of(approve(hukou, officer, created["id"]), 409, "conflict")

        assert "approved" in error["message"]

    def test_approving_a_rejected_application_is_409(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, application())
        assert reject(hukou, officer, created["id"]).status_code == 200

        error_of(approve(hukou, officer, created["id"]), 409, "conflict")

    def test_approving_an_unknown_application_is_404(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        error_of(approve(hukou, officer, "no-such-application"), 404, "not_found")

    @pytest.mark.parametrize(
        "kind", ["surrender_homestead", "surrender_land_contract", "surrender_collective_income"]
    )
    def test_a_condition_to_give_up_rural_rights_is_refused_citing_three_four(
        self, hukou: TestClient, officer: Headers, kind: str
    ) -> None:
        created = submitted(hukou, officer, application())

        response = approve(hukou, officer, created["id"], json={"conditions": [{"kind": kind}]})

        details = invalid(response)
        assert "三(四)" in details[0]["reason"]
        assert kind in details[0]["reason"]
        stored = fetch(hukou, officer, created["id"])
        assert stored["status"] == "eligible"
        assert stored["fanout"] == dict.fromkeys(DEPARTMENTS, "not_started")

    def test_a_refused_condition_names_its_field(self, hukou: TestClient, officer: Headers) -> None:
        created = submitted(hukou, officer, application())

        response = approve(
            hukou, officer, created["id"], json={"conditions": [{"kind": "surrender_homestead"}]}
        )

        assert [d["field"] for d in invalid(response)] == ["conditions[0].kind"]

    def test_a_note_and_an_ordinary_condition_are_recorded(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, application())

        response = approve(
            hukou,
            officer,
            created["id"],
            json={
                "note": "documents checked",
                "conditions": [{"kind": "other", "description": "bring the lease"}],
            },
        )

        assert response.status_code == 200
        assert response.json()["status"] == "approved"

    def test_approval_publishes_exactly_one_settlement_approved_cloudevent(
        self, hukou_with_relay: TestClient, officer: Headers, settings: Settings
    ) -> None:
        client = hukou_with_relay
        body = application()
        body["household"][0].update(hukou_region_code="110105", hukou_type="urban")
        created = submitted(client, officer, body)
        assert approve(client, officer, created["id"]).status_code == 200

        eventually(lambda: len(approved_events(settings)) >= 1)
        time.sleep(0.2)  # ten relay intervals: a second copy would show by now

        (event,) = approved_events(settings)
        assert event["specversion"] == "1.0"
        assert event["type"] == APPROVED_TYPE
        assert event["subject"] == created["id"]
        assert event["id"] and event["source"] and event["time"]
        data = event["data"]
        # In clear, only what names and describes no one; the rest sealed, one box a department.
        assert set(data) == {*CLEAR, SEALED}
        assert set(data[SEALED]) == set(DOWNSTREAM_SERVICES)
        assert data["settlement_id"] == created["id"]
        assert data["rules_version"] == TRIAL
        assert data["channel"] == "stable_residence"
        assert data["destination_region_code"] == WUJIANG
        assert data["household_size"] == 1 + len(body["household"])
        assert data["decided_at"]
        people = (created["applicant"], *created["household"])
        # 三(一) 农业转移人口: how many were rural-registered, a count naming no one (one urban).
        rural = sum(person["hukou_type"] == "rural" for person in people)
        assert data["rural_registered_count"] == rural == len(people) - 1
        keyring = keyring_for(settings)
        opened = {name: open_section(data, keyring, name) for name in DOWNSTREAM_SERVICES}
        assert opened["education"]["members"] == [
            {
                "id_number": person["id_number"],
                "name": person["name"],
                "birth_date": person["birth_date"],
                "sex": person["sex"],
                "relation": person["relation"],
                "previous_region_code": person["hukou_region_code"],
            }
            for person in people
        ]
        assert opened["medical_insurance"]["members"][1] == {
            "id_number": people[1]["id_number"],
            "birth_date": people[1]["birth_date"],
            "sex": people[1]["sex"],
            "relation": people[1]["relation"],
            "previous_region_code": "110105",
            "previous_hukou_type": "urban",
        }
        assert opened["pension"]["social_insurance"]["pension_months"] == 14
        assert opened["housing"]["residence"] == {
            "tenure": body["residence"]["tenure"],
            "since": body["residence"]["since"],
            "region_code": None,  # not stated: said so, as null
        }
        # The address and the rural rights are hukou's alone; incomes go to no one asked here.
        for section in opened.values():
            assert "destination_address" not in section
            assert "rural_rights" not in section
        assert "housing" not in opened["education"]

    def test_departments_decide_as_of_the_approval_day_in_shaoguan_not_the_lodging_day(
        self, hukou: TestClient, auth: TokenFactory
    ) -> None:
        # 三(八) 进城落户农民子女: a child is a settled family's from the approval, so every
        # department decides as of that day. Lodged on 20 August 2019, approved at 17:00 UTC on
        # 1 September: 01:00 on 2 September in Shaoguan, a day and a school year on from UTC's.
        with time_machine.travel(datetime(2019, 9, 1, 17, 0, tzinfo=UTC), tick=True):
            officer = auth("public_security")  # a token of that day
            created = submitted(hukou, officer, application(received_on="2019-08-20"))
            assert approve(hukou, officer, created["id"]).status_code == 200

        (data,) = outbox_data(hukou)
        assert created["received_on"] == "2019-08-20"
        assert data["decision_date"] == "2019-09-02"
        assert data["decided_at"].startswith("2019-09-01T17:00")

    def test_the_event_is_keyed_by_the_settlement_id(
        self, hukou_with_relay: TestClient, officer: Headers, settings: Settings
    ) -> None:
        created = submitted(hukou_with_relay, officer, application())
        approve(hukou_with_relay, officer, created["id"])
        eventually(lambda: len(approved_events(settings)) == 1)

        (record,) = read_topic(settings, APPROVED_TOPIC)

        assert record.key == created["id"]

    def test_the_outbox_row_is_committed_with_the_status_change(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, application())
        assert outbox_rows(hukou) == []

        approve(hukou, officer, created["id"])

        (row,) = outbox_rows(hukou)
        assert row.topic == APPROVED_TOPIC
        assert row.key == created["id"]
        assert fetch(hukou, officer, created["id"])["status"] == "approved"

    @pytest.mark.parametrize(
        ("fails", "fault"),
        [
            pytest.param(
                "services.hukou.approvals.add_to_outbox",
                "the outbox cannot be written",
                id="an_approval_that_cannot_write_its_event_changes_nothing",
            ),
            pytest.param(
                "services.hukou.operations.record_audit",
                "the audit log cannot be written",
                id="a_failure_after_the_event_is_written_takes_the_event_back",
            ),
        ],
    )
    def test_an_approval_that_fails_midway_changes_nothing_and_publishes_nothing(
        self,
        hukou_with_relay: TestClient,
        officer: Headers,
        settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
        fails: str,
        fault: str,
    ) -> None:
        client = hukou_with_relay
        created = submitted(client, officer, application())

        def unavailable(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError(fault)

        monkeypatch.setattr(fails, unavailable)
        with pytest.raises(RuntimeError, match=fault):
            approve(client, officer, created["id"])
        monkeypatch.undo()

        stored = fetch(client, officer, created["id"])
        assert stored["status"] == "eligible"
        assert stored["approved_at"] is None
        assert stored["fanout"] == dict.fromkeys(DEPARTMENTS, "not_started")
        assert outbox_rows(client) == []
        time.sleep(0.2)
        assert approved_events(settings) == []
        # ... and the approval goes through once the fault is gone.
        assert approve(client, officer, created["id"]).status_code == 200
        eventually(lambda: len(approved_events(settings)) == 1)


def outbox_data(client: TestClient) -> list[dict[str, Any]]:
    """The `data` of each event in hukou's outbox, published or not (its clear fields)."""
    with client.app.state.runtime.db.read_only() as session:  # type: ignore[attr-defined]
        values = session.scalars(select(TABLES.outbox.c.value)).all()
    return [json.loads(value)["data"] for value in values]


# --- reject --------------------------------------------------------------------------------------


class TestReject(HukouApiTests):
    @pytest.mark.parametrize("make_body", [application, ineligible_body, undetermined_body])
    def test_rejecting_with_a_ground_and_a_reason_stores_them(
        self, hukou: TestClient, officer: Headers, make_body: Callable[[], dict[str, Any]]
    ) -> None:
        created = submitted(hukou, officer, make_body())

        response = reject(
            hukou,
            officer,
            created["id"],
            {"ground": "false_information", "reason": "the lease is forged"},
        )

        assert response.status_code == 200
        assert response.json()["status"] == "rejected"
        assert response.json()["rejected_at"]
        stored = fetch(hukou, officer, created["id"])
        assert stored["status"] == "rejected"
        assert stored["rejection_reason"] == "the lease is forged"
        assert stored["rejection_ground"] == "false_information"

    def test_rejecting_an_approved_application_is_409(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, application())
        approve(hukou, officer, created["id"])

        error = error_of(reject(hukou, officer, created["id"]), 409, "conflict")

        assert "approved" in error["message"]
        assert fetch(hukou, officer, created["id"])["status"] == "approved"

    def test_rejecting_twice_is_409(self, hukou: TestClient, officer: Headers) -> None:
        created = submitted(hukou, officer, application())
        reject(hukou, officer, created["id"], {"ground": "withdrawn", "reason": "first"})

        second = {"ground": "withdrawn", "reason": "second"}
        error_of(reject(hukou, officer, created["id"], second), 409, "conflict")

        assert fetch(hukou, officer, created["id"])["rejection_reason"] == "first"

    @pytest.mark.parametrize(
        "body",
        [
            {"ground": "withdrawn"},
            {"ground": "withdrawn", "reason": ""},
            {"ground": "withdrawn", "reason": "   "},
        ],
    )
    def test_rejecting_without_a_reason_is_422(
        self, hukou: TestClient, officer: Headers, body: dict[str, Any]
    ) -> None:
        created = submitted(hukou, officer, application())

        details = invalid(reject(hukou, officer, created["id"], body))

        assert reason_for(details, "reason")
        assert fetch(hukou, officer, created["id"])["status"] == "eligible"

    def test_rejecting_an_unknown_application_is_404(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        error_of(reject(hukou, officer, "no-such-application"), 404, "not_found")
