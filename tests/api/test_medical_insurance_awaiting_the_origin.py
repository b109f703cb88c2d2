"""Medical insurance follows through on transfers (三(六)): a transfer awaiting the origin is an
open item of its member's until the origin answers, confirming or refusing, and only then is the
settlement `done`."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.medical_insurance_support import (
    CONFIRMATION,
    CONFIRMED,
    DEADLINE,
    INSURED_AT_HOME,
    MedicalInsuranceApiTests,
    confirm,
    decisions,
    entries_of,
    household,
    record_of,
    recorded,
    statuses,
)
from tests.support import Headers, invalid, ok, reason_for
from tests.support import supply as inform


class TestConfirmation(MedicalInsuranceApiTests):
    def test_a_transfer_awaiting_the_origin_is_open_until_it_answers(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        settlement_id = recorded(quiet, household(social_insurance=INSURED_AT_HOME))
        waiting = record_of(quiet, settlement_id, officer)
        [item] = waiting["open_items"]
        transfer_id = waiting["entries"][0]["transfer_id"]
        assert (item["member_index"], item["field"], item["kind"]) == (
            0,
            CONFIRMATION,
            "confirmation",
        )
        assert f"transfer {transfer_id}, due by {DEADLINE.isoformat()}" in item["reason"]

        entry = ok(confirm(quiet, transfer_id, officer, CONFIRMED))

        assert (entry["status"], entry["months_carried_over"]) == ("completed", 31)
        answered = record_of(quiet, settlement_id, officer)
        assert (answered["status"], answered["open_items"], answered["version"]) == ("done", [], 2)
        assert statuses(quiet, settlement_id) == [("action_needed", 1), ("done", 2)]
        assert decisions(quiet, settlement_id) == [("approved", 1), ("confirmation", 2)]

    def test_a_refusal_is_the_origins_answer_too(self, quiet: TestClient, officer: Headers) -> None:
        settlement_id = recorded(quiet, household(social_insurance=INSURED_AT_HOME))
        transfer_id = entries_of(quiet, settlement_id, officer)[0]["transfer_id"]

        refusal = {"outcome": "refused", "reason": "no record of the person"}
        ok(confirm(quiet, transfer_id, officer, refusal))

        answered = record_of(quiet, settlement_id, officer)
        assert (answered["status"], answered["version"]) == ("done", 2)
        assert answered["entries"][0]["status"] == "refused"

    def test_the_same_answer_under_the_same_key_is_one_decision(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        settlement_id = recorded(quiet, household(social_insurance=INSURED_AT_HOME))
        transfer_id = entries_of(quiet, settlement_id, officer)[0]["transfer_id"]
        keyed = {**officer, "Idempotency-Key": "origin-letter-7"}

        first = ok(confirm(quiet, transfer_id, keyed, CONFIRMED))
        again = ok(confirm(quiet, transfer_id, keyed, CONFIRMED))

        assert again == first
        assert record_of(quiet, settlement_id, officer)["version"] == 2
        assert statuses(quiet, settlement_id) == [("action_needed", 1), ("done", 2)]

    def test_the_confirmation_is_not_a_fact_the_information_route_takes(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        settlement_id = recorded(quiet, household(social_insurance=INSURED_AT_HOME))

        response = inform(quiet, officer, settlement_id, {CONFIRMATION: True}, member_index=0)

        reason_for(invalid(response), f"facts.{CONFIRMATION}")
        assert record_of(quiet, settlement_id, officer)["version"] == 1
