"""Pension follows through on transfers (docs/contract.md, "Follow-through"): a continuation
awaiting its origin is a confirmation item until the origin confirms, once, and only then is the
settlement `done`; no one may supply the months as information."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.pension_support import (
    MONTHS,
    FollowThroughTests,
    applicant_alone,
    confirm,
    confirmation_url,
    decide_directly,
    member_of,
    statuses,
)
from tests.support import (
    MEIZHOU,
    Headers,
    error_of,
    invalid,
    ok,
    reason_for,
    settlement_record,
    supply,
)


class TestConfirmation(FollowThroughTests):
    def test_a_transfer_awaiting_its_origin_is_a_confirmation_item_until_confirmed(
        self, client: TestClient, officer: Headers
    ) -> None:
        settlement_id = decide_directly(client, applicant_alone(insured_region_code=MEIZHOU))
        waiting = settlement_record(client, officer, settlement_id)
        [item] = waiting["open_items"]
        assert (item["member_index"], item["field"], item["kind"]) == (0, MONTHS, "confirmation")
        assert MEIZHOU in item["reason"]
        applicant = member_of(waiting, 0)

        confirmed = ok(
            client.post(
                confirmation_url(applicant["id"]),
                json={"months_carried_over": 12, "reference": "梅州-2019-0002"},
                headers=officer,
            )
        )

        assert confirmed["status"] == "continued"
        assert confirmed["months_source"] == "origin_confirmation"
        assert confirmed["confirmation"]["months_carried_over"] == 12
        done = settlement_record(client, officer, settlement_id)
        assert (done["status"], done["open_items"], done["version"]) == ("done", [], 2)
        assert member_of(done, 0) == confirmed
        assert statuses(client, settlement_id) == [("action_needed", 1), ("done", 2)]

    def test_a_confirmation_is_not_information_anyone_may_supply(
        self, client: TestClient, officer: Headers
    ) -> None:
        settlement_id = decide_directly(client, applicant_alone(insured_region_code=MEIZHOU))

        response = supply(client, officer, settlement_id, {MONTHS: 12}, member_index=0)

        assert response.status_code == 422  # not a fact pension takes: the origin confirms it
        reason_for(invalid(response), f"facts.{MONTHS}")
        assert settlement_record(client, officer, settlement_id)["version"] == 1

    def test_the_same_confirmation_twice_decides_once(
        self, client: TestClient, officer: Headers
    ) -> None:
        settlement_id = decide_directly(client, applicant_alone(insured_region_code=MEIZHOU))
        applicant_id = member_of(settlement_record(client, officer, settlement_id), 0)["id"]
        keyed = {**officer, "Idempotency-Key": f"confirm-{applicant_id}"}

        first = ok(confirm(client, applicant_id, keyed, months=14))
        again = ok(confirm(client, applicant_id, keyed, months=14))
        unkeyed = confirm(client, applicant_id, officer, months=14)

        assert again == first
        error_of(unkeyed, 409, "conflict")  # no longer awaiting the origin
        assert settlement_record(client, officer, settlement_id)["version"] == 2
        assert statuses(client, settlement_id) == [("action_needed", 1), ("done", 2)]
