"""Medical insurance follows through on information (三(六)): each member's fact the application
leaves out is an open item of that member's until it is supplied, and then the settlement is
decided again; a refused supply names the field and why, and changes nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.medical_insurance.app import build
from shared.clock import today
from shared.settings import Settings
from tests.api.medical_insurance_support import (
    CONFIRMATION,
    EMPLOYER_PAID,
    MONTHS,
    NOT_INSURED,
    PARAMETERS_ENV,
    REGION,
    SHIXING,
    MedicalInsuranceApiTests,
    decisions,
    household,
    open_items,
    parameters_json,
    record_of,
    recorded,
    statuses,
)
from tests.api.medical_insurance_support import supply as put_insurance
from tests.conftest import TokenFactory
from tests.support import MEIZHOU, Headers, error_of, ok, outbox_reports, refused_supply
from tests.support import supply as inform


class TestInformation(MedicalInsuranceApiTests):
    def test_a_fact_the_application_leaves_out_is_open_until_supplied_then_it_is_done(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        settlement_id = recorded(quiet, household(social_insurance={"medical_months": 0}))

        waiting = record_of(quiet, settlement_id, officer)
        assert (waiting["status"], waiting["version"]) == ("action_needed", 1)
        [item] = waiting["open_items"]
        assert (item["member_index"], item["field"], item["kind"]) == (
            0,
            EMPLOYER_PAID,
            "information",
        )
        assert item["due_on"] is None  # no follow_through_days recorded
        assert "employer paying" in item["reason"]

        answered = ok(inform(quiet, officer, settlement_id, {EMPLOYER_PAID: True}, member_index=0))

        assert (answered["status"], answered["open_items"], answered["version"]) == ("done", [], 2)
        [entry] = answered["entries"]
        assert (entry["kind"], entry["to_scheme"], entry["facts_basis"]) == (
            "enrollment",
            "employee",
            "department",
        )
        assert answered == record_of(quiet, settlement_id, officer)
        assert statuses(quiet, settlement_id) == [("action_needed", 1), ("done", 2)]
        [first, last] = outbox_reports(quiet, settlement_id)
        assert [i["field"] for i in first["open_items"]] == [EMPLOYER_PAID]
        assert last["open_items"] == []

    def test_a_region_not_stated_for_the_months_stated_is_asked_of_the_applicant(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        stated = {"medical_months": 30, "employer_paid": True}
        settlement_id = recorded(quiet, household(social_insurance=stated))
        assert open_items(record_of(quiet, settlement_id, officer)) == [(0, REGION, "information")]

        answered = ok(inform(quiet, officer, settlement_id, {REGION: MEIZHOU}, member_index=0))

        # Insured outside Shaoguan: the transfer now awaits the origin, which is open in turn.
        assert open_items(answered) == [(0, CONFIRMATION, "confirmation")]
        [entry] = answered["entries"]
        assert (entry["kind"], entry["from_region_code"], entry["months_declared"]) == (
            "transfer",
            MEIZHOU,
            30,
        )

    def test_a_member_the_application_says_nothing_of_is_decided_by_the_facts_supplied(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        settlement_id = recorded(quiet, household("urban parent"))
        assert open_items(record_of(quiet, settlement_id, officer)) == [
            (1, REGION, "information"),
            (1, MONTHS, "information"),
        ]

        nowhere = ok(inform(quiet, officer, settlement_id, {MONTHS: 0}, member_index=1))
        # Insured nowhere: whether the employer pays decides the scheme of a 60-year-old.
        assert open_items(nowhere) == [(1, EMPLOYER_PAID, "information")]
        done = ok(inform(quiet, officer, settlement_id, {EMPLOYER_PAID: False}, member_index=1))

        assert (done["status"], done["version"]) == ("done", 3)
        parent = done["entries"][1]
        assert (parent["kind"], parent["to_scheme"]) == ("enrollment", "urban_rural_resident")
        assert statuses(quiet, settlement_id) == [
            ("action_needed", 1),
            ("action_needed", 2),
            ("done", 3),
        ]

    def test_facts_the_department_establishes_on_its_own_route_decide_the_settlement_again(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        settlement_id = recorded(quiet, household("urban parent"))

        entry = ok(put_insurance(quiet, settlement_id, 1, officer, NOT_INSURED))

        assert (entry["kind"], entry["facts_basis"]) == ("enrollment", "department")
        answered = record_of(quiet, settlement_id, officer)
        assert (answered["status"], answered["open_items"], answered["version"]) == ("done", [], 2)
        assert statuses(quiet, settlement_id) == [("action_needed", 1), ("done", 2)]
        assert decisions(quiet, settlement_id) == [("approved", 1), ("information", 2)]
        # The same facts again are the entry as it stands: nothing is decided again.
        assert ok(put_insurance(quiet, settlement_id, 1, officer, NOT_INSURED)) == entry
        assert statuses(quiet, settlement_id) == [("action_needed", 1), ("done", 2)]

    def test_an_item_is_due_follow_through_days_after_it_opened(
        self, settings: Settings, officer: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(PARAMETERS_ENV, parameters_json(follow_through_days=30))
        with TestClient(build(settings.model_copy(update={"start_workers": False}))) as client:
            settlement_id = recorded(client, household("urban parent"))
            items = record_of(client, settlement_id, officer)["open_items"]

        assert {item["due_on"] for item in items} == {(today() + timedelta(days=30)).isoformat()}


class TestBadInformation(MedicalInsuranceApiTests):
    """A refused supply names the field and why, and changes nothing."""

    @pytest.mark.parametrize(
        ("facts", "member_index", "field"),
        [
            ({"social_insurance.scheme": "employee"}, 1, "facts.social_insurance.scheme"),
            ({MONTHS: "30"}, 1, f"facts.{MONTHS}"),
            ({MONTHS: -1}, 1, f"facts.{MONTHS}"),
            ({MONTHS: True}, 1, f"facts.{MONTHS}"),
            ({REGION: "999999"}, 1, f"facts.{REGION}"),
            ({REGION: 441402}, 1, f"facts.{REGION}"),
            ({MONTHS: 30}, None, "member_index"),  # a member's fact: whose?
            ({MONTHS: 30}, 7, "member_index"),  # a household of two
        ],
    )
    def test_a_fact_medical_insurance_does_not_take_as_given_is_a_422_naming_it(
        self,
        quiet: TestClient,
        officer: Headers,
        facts: dict[str, Any],
        member_index: int | None,
        field: str,
    ) -> None:
        settlement_id = recorded(quiet, household("urban parent"))

        refused_supply(quiet, officer, settlement_id, facts, member_index=member_index, field=field)

        assert statuses(quiet, settlement_id) == [("action_needed", 1)]

    def test_a_fact_no_open_item_asks_for_is_a_409(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        settlement_id = recorded(quiet, household("urban parent"))

        response = inform(quiet, officer, settlement_id, {EMPLOYER_PAID: True}, member_index=1)

        error_of(response, 409, "conflict")
        assert record_of(quiet, settlement_id, officer)["version"] == 1

    def test_the_same_supply_under_the_same_key_is_one_decision(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        settlement_id = recorded(quiet, household("urban parent"))
        facts = {MONTHS: 48, REGION: SHIXING}

        first = ok(inform(quiet, officer, settlement_id, facts, member_index=1, key="parent-1"))
        again = ok(inform(quiet, officer, settlement_id, facts, member_index=1, key="parent-1"))

        assert again == first
        assert (first["status"], first["version"]) == ("done", 2)
        assert statuses(quiet, settlement_id) == [("action_needed", 1), ("done", 2)]
        other = inform(quiet, officer, settlement_id, {MONTHS: 0}, member_index=1, key="parent-1")
        error_of(other, 409, "conflict")

    def test_supplying_needs_medical_write(self, quiet: TestClient, auth: TokenFactory) -> None:
        settlement_id = recorded(quiet, household("urban parent"))
        for headers in (auth("audit"), auth("human_resources", "medical:read")):
            response = inform(quiet, headers, settlement_id, {MONTHS: 0}, member_index=1)
            error_of(response, 403, "forbidden")
