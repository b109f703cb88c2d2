"""Pension follows through on information (docs/contract.md, "Follow-through"): a fact a
continuation waits on is an open item, due follow_through_days after it opened, until it is
supplied; a refused supply names the field and why, and changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.pension import rules
from services.pension.app import build
from shared.clock import today
from shared.settings import Settings
from tests import settlements
from tests.api.pension_support import (
    EMPLOYER_PAID,
    IN_WUJIANG,
    MONTHS,
    OCCUPATION,
    PARAMETERS,
    PRESUMPTION_ITEM,
    FollowThroughTests,
    applicant_alone,
    confirm,
    couple,
    decide_directly,
    items,
    member_of,
    settled,
    statuses,
)
from tests.settlements import member
from tests.support import (
    Headers,
    error_of,
    ok,
    outbox_reports,
    refused_supply,
    settlement_record,
    supply,
)


class TestInformation(FollowThroughTests):
    def test_the_spouses_employer_supplied_then_the_origins_confirmation_and_it_is_done(
        self, client: TestClient, officer: Headers
    ) -> None:
        settlement_id = decide_directly(client, settled())
        waiting = settlement_record(client, officer, settlement_id)
        assert (waiting["status"], waiting["version"]) == ("action_needed", 1)
        assert items(waiting) == {(1, EMPLOYER_PAID, "information"), PRESUMPTION_ITEM}
        [asked] = [i for i in waiting["open_items"] if i["kind"] == "information"]
        assert EMPLOYER_PAID in asked["reason"]
        spouse_id = member_of(waiting, 1)["id"]

        answered = ok(
            supply(client, officer, settlement_id, {EMPLOYER_PAID: False}, member_index=1)
        )

        # her scheme is decided; the months she carries over are now her origin's to confirm
        assert (answered["status"], answered["version"]) == ("action_needed", 2)
        assert items(answered) == {(1, MONTHS, "confirmation")}
        spouse = member_of(answered, 1)
        assert spouse["id"] == spouse_id  # the same continuation, decided again
        assert (spouse["scheme"], spouse["status"]) == ("urban_rural_resident", "awaiting_origin")
        assert answered == settlement_record(client, officer, settlement_id)

        confirmed = ok(confirm(client, spouse_id, officer, months=26))

        assert (confirmed["status"], confirmed["months_carried_over"]) == ("continued", 26)
        done = settlement_record(client, officer, settlement_id)
        assert (done["status"], done["open_items"], done["version"]) == ("done", [], 3)
        assert [c["id"] for c in done["continuations"]] == [
            c["id"] for c in waiting["continuations"]
        ]
        reports = outbox_reports(client, settlement_id)
        assert statuses(client, settlement_id) == [
            ("action_needed", 1),
            ("action_needed", 2),
            ("done", 3),
        ]
        assert items(reports[1]) == {(1, MONTHS, "confirmation")}
        assert reports[2]["open_items"] == []

    def test_a_spouse_past_pension_age_is_done_once_her_employer_is_known(
        self, client: TestClient, officer: Headers
    ) -> None:
        settlement_id = decide_directly(client, settled(members=couple(date(1958, 3, 1))))
        assert items(settlement_record(client, officer, settlement_id)) == {
            (1, EMPLOYER_PAID, "information"),
            PRESUMPTION_ITEM,
        }

        answered = ok(supply(client, officer, settlement_id, {EMPLOYER_PAID: True}, member_index=1))

        assert (answered["status"], answered["open_items"], answered["version"]) == ("done", [], 2)
        spouse = member_of(answered, 1)
        assert (spouse["scheme"], spouse["status"]) == ("employee", "drawing")
        assert statuses(client, settlement_id) == [("action_needed", 1), ("done", 2)]

    def test_the_applicants_employer_supplied_is_read_as_the_applications(
        self, client: TestClient, officer: Headers
    ) -> None:
        settlement_id = decide_directly(client, applicant_alone(employer_paid=None))
        assert items(settlement_record(client, officer, settlement_id)) == {
            (0, EMPLOYER_PAID, "information")
        }

        answered = ok(supply(client, officer, settlement_id, {EMPLOYER_PAID: True}, member_index=0))

        assert (answered["status"], answered["version"]) == ("done", 2)
        assert member_of(answered, 0)["scheme"] == "employee"

    def test_a_womans_occupation_category_supplied_settles_her_pension_age(
        self, client: TestClient, officer: Headers
    ) -> None:
        woman = member(date(1967, 1, 1), "applicant", female=True)
        data = settlements.settlement(members=[woman], social_insurance=IN_WUJIANG)
        settlement_id = decide_directly(client, data)
        waiting = settlement_record(client, officer, settlement_id)
        assert items(waiting) == {(0, OCCUPATION, "information")}
        assert member_of(waiting, 0)["status"] == "information_needed"

        answered = ok(supply(client, officer, settlement_id, {OCCUPATION: "staff"}, member_index=0))

        assert (answered["status"], answered["version"]) == ("done", 2)
        applicant = member_of(answered, 0)
        assert (applicant["status"], applicant["pension_age"]) == ("continued", "55")


class TestBadInformation(FollowThroughTests):
    """A refused supply names the field and why, and changes nothing."""

    @pytest.mark.parametrize(
        ("facts", "member_index", "field"),
        [
            ({"social_insurance.employer": False}, 1, "facts.social_insurance.employer"),
            ({EMPLOYER_PAID: "false"}, 1, f"facts.{EMPLOYER_PAID}"),
            ({EMPLOYER_PAID: 0}, 1, f"facts.{EMPLOYER_PAID}"),
            ({OCCUPATION: "manager"}, 1, f"facts.{OCCUPATION}"),
            (
                {"housing.monthly_household_income": 4200},
                None,
                "facts.housing.monthly_household_income",
            ),  # the minimum living guarantee is not pension's
            ({EMPLOYER_PAID: False}, None, "member_index"),  # a member's: say whose
            ({EMPLOYER_PAID: False}, 2, "member_index"),  # a couple: members 0 and 1
        ],
    )
    def test_a_fact_pension_does_not_take_as_given_is_a_422_naming_it(
        self,
        client: TestClient,
        officer: Headers,
        facts: dict[str, Any],
        member_index: int | None,
        field: str,
    ) -> None:
        settlement_id = decide_directly(client, settled())

        refused_supply(
            client, officer, settlement_id, facts, member_index=member_index, field=field
        )

        assert statuses(client, settlement_id) == [("action_needed", 1)]

    def test_a_fact_no_open_item_asks_for_is_a_409(
        self, client: TestClient, officer: Headers
    ) -> None:
        settlement_id = decide_directly(client, settled())

        # the applicant's employer is stated, and no one's occupation category is asked for
        for facts, index in (({EMPLOYER_PAID: False}, 0), ({OCCUPATION: "worker"}, 1)):
            error_of(
                supply(client, officer, settlement_id, facts, member_index=index), 409, "conflict"
            )

        assert settlement_record(client, officer, settlement_id)["version"] == 1
        assert statuses(client, settlement_id) == [("action_needed", 1)]

    def test_a_settlement_pension_has_not_seen_is_a_404(
        self, client: TestClient, officer: Headers
    ) -> None:
        response = supply(
            client, officer, "no-such-settlement", {EMPLOYER_PAID: True}, member_index=1
        )

        error_of(response, 404, "not_found")

    def test_the_same_supply_under_the_same_key_is_one_decision(
        self, client: TestClient, officer: Headers
    ) -> None:
        settlement_id = decide_directly(client, settled())
        facts = {EMPLOYER_PAID: False}

        first = ok(supply(client, officer, settlement_id, facts, member_index=1, key="paid-1"))
        again = ok(supply(client, officer, settlement_id, facts, member_index=1, key="paid-1"))

        assert again == first
        assert settlement_record(client, officer, settlement_id)["version"] == 2
        assert statuses(client, settlement_id) == [("action_needed", 1), ("action_needed", 2)]
        other = supply(
            client, officer, settlement_id, {EMPLOYER_PAID: True}, member_index=1, key="paid-1"
        )
        error_of(other, 409, "conflict")
        assert settlement_record(client, officer, settlement_id)["version"] == 2


class TestDeadline(FollowThroughTests):
    @pytest.fixture(scope="class")
    @classmethod
    def client(cls, settings: Settings) -> Iterator[TestClient]:
        days = {
            "name": "follow_through_days",
            "value": 30,
            "unit": "days",
            "valid_from": "2017-01-01",
            "source": "test fixture",
            "department": "human_resources",
        }
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(rules.PARAMETERS.variable, json.dumps([*PARAMETERS, days]))
            with TestClient(build(settings)) as service:
                yield service

    def test_an_item_is_due_follow_through_days_after_it_opened(
        self, client: TestClient, officer: Headers
    ) -> None:
        waiting = settlement_record(client, officer, decide_directly(client, settled()))

        due = (today() + timedelta(days=30)).isoformat()
        assert [item["due_on"] for item in waiting["open_items"]] == [due, due]
