"""A settled household applies for housing security: the forms open to it, once, idempotently."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.housing_support import (
    HousingApiTests,
    application,
    applied,
    apply,
    decide,
    owner,
    renter,
    waiting,
)
from tests.support import WUJIANG, Headers, error_of, get_settlement, invalid, ok, reason_for


class TestApply(HousingApiTests):
    def test_a_renter_applies_for_the_rental_subsidy(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(housing)

        created = applied(housing, clerk, settlement_id, "rental_subsidy")

        assert created["settlement_id"] == settlement_id
        assert (created["form"], created["status"], created["clause"]) == (
            "rental_subsidy",
            "pending",
            "三(五)",
        )
        assert (created["region_code"], created["household_size"]) == (WUJIANG, 3)
        assert created["waiting_list"] is None
        assert created["outcome"] is None
        shown = ok(get_settlement(housing, clerk, settlement_id))["applications"]
        assert shown == [created]
        read = ok(application(housing, clerk, created["id"]))
        assert read == created

    def test_a_renter_may_ask_for_housing_in_kind_and_joins_the_waiting_list(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        created = applied(fresh, clerk, renter(fresh), "public_rental_housing")

        assert created["waiting_list"] == {"queue_number": 1, "position": 1}

    def test_a_household_not_renting_on_the_market_may_not_have_the_rental_subsidy(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        settlement_id = owner(housing)

        error = error_of(apply(housing, clerk, settlement_id), 409, "conflict")

        assert "may apply for public_rental_housing" in error["message"]
        assert "residence.tenure owned" in reason_for(error["details"], "form")
        assert ok(get_settlement(housing, clerk, settlement_id))["applications"] == []

    def test_a_household_not_eligible_may_not_apply_and_is_told_why(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(
            housing, housing={"monthly_household_income": 9000, "current_area_m2": 0}
        )

        error = error_of(
            apply(housing, clerk, settlement_id, {"form": "public_rental_housing"}),
            409,
            "conflict",
        )

        assert "not eligible for housing security (三(五))" in error["message"]
        assert "3000.00 yuan per person per month" in error["message"]
        assert error["details"][0]["clause"] == "三(五)"

    def test_a_household_whose_eligibility_needs_information_may_not_apply_yet(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(housing, housing={"current_area_m2": 0})

        error = error_of(apply(housing, clerk, settlement_id), 409, "conflict")

        assert "housing.monthly_household_income" in error["message"]

    def test_a_second_application_while_one_is_pending_is_409_naming_it(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(fresh)
        first = applied(fresh, clerk, settlement_id, "rental_subsidy")

        error = error_of(
            apply(fresh, clerk, settlement_id, {"form": "public_rental_housing"}),
            409,
            "conflict",
        )

        assert first["id"] in error["message"]
        assert error["details"][0]["application_id"] == first["id"]
        assert waiting(fresh, clerk)["total"] == 0

    def test_after_a_refusal_the_household_may_apply_again(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(fresh)
        first = applied(fresh, clerk, settlement_id, "rental_subsidy")
        ok(decide(fresh, clerk, first["id"], {"outcome": "refused", "reason": "lease not shown"}))

        second = applied(fresh, clerk, settlement_id, "public_rental_housing")

        forms = [a["form"] for a in ok(get_settlement(fresh, clerk, settlement_id))["applications"]]
        assert forms == ["rental_subsidy", "public_rental_housing"]
        assert second["waiting_list"]["position"] == 1

    def test_a_granted_household_may_not_apply_again(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(housing)
        first = applied(housing, clerk, settlement_id, "rental_subsidy")
        ok(decide(housing, clerk, first["id"], {"outcome": "granted"}))

        error = error_of(apply(housing, clerk, settlement_id), 409, "conflict")

        assert "granted" in error["message"]

    def test_an_unknown_settlement_is_404(self, housing: TestClient, clerk: Headers) -> None:
        error_of(apply(housing, clerk, "no-such-settlement"), 404, "not_found")

    @pytest.mark.parametrize(
        ("body", "field", "words"),
        [
            ({}, "form", "Field required"),
            ({"form": "cash"}, "form", "'rental_subsidy' or 'public_rental_housing'"),
            ({"form": "rental_subsidy", "urgent": True}, "urgent", "Extra inputs"),
            ([], "body", "valid dictionary"),
        ],
    )
    def test_an_invalid_body_is_422_naming_the_field(
        self, housing: TestClient, clerk: Headers, body: Any, field: str, words: str
    ) -> None:
        settlement_id = renter(housing)

        details = invalid(apply(housing, clerk, settlement_id, body))

        assert words in reason_for(details, field)
        assert ok(get_settlement(housing, clerk, settlement_id))["applications"] == []

    def test_a_body_that_is_not_json_is_422(self, housing: TestClient, clerk: Headers) -> None:
        response = housing.post(
            f"/v1/settlements/{renter(housing)}/housing-applications",
            headers={**clerk, "Content-Type": "application/json"},
            content=b"{form:",
        )

        invalid(response)

    def test_an_overlong_settlement_id_is_422(self, housing: TestClient, clerk: Headers) -> None:
        details = invalid(apply(housing, clerk, "x" * 65))

        assert "at most 64" in reason_for(details, "settlement_id")


class TestIdempotency(HousingApiTests):
    def test_the_same_key_and_body_answer_the_first_answer_and_create_nothing_new(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(fresh)
        key = {"Idempotency-Key": "apply-1"}

        first = apply(fresh, {**clerk, **key}, settlement_id, {"form": "public_rental_housing"})
        again = apply(fresh, {**clerk, **key}, settlement_id, {"form": "public_rental_housing"})

        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
        assert len(ok(get_settlement(fresh, clerk, settlement_id))["applications"]) == 1
        assert waiting(fresh, clerk)["total"] == 1

    def test_the_same_key_with_another_body_is_409(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        settlement_id = renter(housing)
        key = {**clerk, "Idempotency-Key": "apply-2"}
        ok(apply(housing, key, settlement_id, {"form": "rental_subsidy"}), 201)

        error = error_of(
            apply(housing, key, settlement_id, {"form": "public_rental_housing"}), 409, "conflict"
        )

        assert reason_for(error["details"], "Idempotency-Key") == "already used for another request"

    def test_a_refused_request_does_not_use_up_its_key(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        key = {**clerk, "Idempotency-Key": "apply-3"}
        error_of(apply(housing, key, "unknown-settlement"), 404, "not_found")

        ok(apply(housing, key, renter(housing)), 201)

    def test_an_overlong_key_is_422(self, housing: TestClient, clerk: Headers) -> None:
        details = invalid(apply(housing, {**clerk, "Idempotency-Key": "k" * 201}, renter(housing)))

        assert reason_for(details, "Idempotency-Key") == "must be 1 to 200 characters"

    def test_an_outcome_sent_again_with_its_key_answers_the_first_answer(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        created = applied(housing, clerk, renter(housing), "rental_subsidy")
        key = {**clerk, "Idempotency-Key": "grant-1"}

        first = decide(housing, key, created["id"], {"outcome": "granted"})
        again = decide(housing, key, created["id"], {"outcome": "granted"})

        assert first.status_code == again.status_code == 200
        assert first.json() == again.json()
