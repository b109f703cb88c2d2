"""The housing department records an application's outcome: granted or refused, once."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.housing_support import (
    AREA_LIMIT,
    INCOME_LIMIT,
    HousingApiTests,
    application,
    applied,
    configure,
    decide,
    owner,
    renter,
    waiting,
)
from tests.support import Headers, error_of, invalid, ok, reason_for


class TestOutcome(HousingApiTests):
    @pytest.mark.parametrize(
        ("given", "monthly"),
        [({}, 2100.0), ({"monthly_subsidy": 1850.5}, 1850.5)],
        ids=["the-assessed-amount-by-default", "the-amount-the-department-gives"],
    )
    def test_a_granted_rental_subsidy_records_its_monthly_amount(
        self, housing: TestClient, clerk: Headers, given: dict[str, Any], monthly: float
    ) -> None:
        created = applied(housing, clerk, renter(housing), "rental_subsidy")

        granted = ok(decide(housing, clerk, created["id"], {"outcome": "granted", **given}))

        assert granted["status"] == "granted"
        assert granted["outcome"]["outcome"] == "granted"
        assert granted["outcome"]["monthly_subsidy"] == monthly
        assert granted["outcome"]["decided_at"]

    def test_without_an_assessed_amount_a_grant_must_state_it(
        self, housing: TestClient, clerk: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        configure(monkeypatch, [INCOME_LIMIT, AREA_LIMIT])
        created = applied(housing, clerk, renter(housing), "rental_subsidy")

        details = invalid(decide(housing, clerk, created["id"], {"outcome": "granted"}))

        assert "rental_subsidy_amount_per_capita" in reason_for(details, "monthly_subsidy")
        read = ok(application(housing, clerk, created["id"]))
        assert read["status"] == "pending"

    def test_granted_public_rental_housing_names_the_unit_and_leaves_the_list(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        created = applied(fresh, clerk, owner(fresh), "public_rental_housing")

        granted = ok(
            decide(fresh, clerk, created["id"], {"outcome": "granted", "unit_reference": "WJ-7"})
        )

        assert granted["outcome"]["unit_reference"] == "WJ-7"
        assert granted["outcome"]["monthly_subsidy"] is None
        assert granted["waiting_list"] == {"queue_number": 1, "position": None}
        assert waiting(fresh, clerk)["items"] == []

    def test_a_refusal_records_its_reason(self, fresh: TestClient, clerk: Headers) -> None:
        created = applied(fresh, clerk, owner(fresh), "public_rental_housing")

        refused = ok(
            decide(fresh, clerk, created["id"], {"outcome": "refused", "reason": "moved away"})
        )

        assert refused["status"] == "refused"
        assert refused["outcome"]["reason"] == "moved away"
        assert waiting(fresh, clerk)["total"] == 0

    def test_a_second_outcome_is_409(self, housing: TestClient, clerk: Headers) -> None:
        created = applied(housing, clerk, renter(housing), "rental_subsidy")
        ok(decide(housing, clerk, created["id"], {"outcome": "granted"}))

        error = error_of(
            decide(housing, clerk, created["id"], {"outcome": "refused", "reason": "x"}),
            409,
            "conflict",
        )

        assert "already granted" in error["message"]

    def test_an_unknown_application_is_404(self, housing: TestClient, clerk: Headers) -> None:
        error_of(decide(housing, clerk, "no-such-id", {"outcome": "granted"}), 404, "not_found")
        error_of(
            housing.get("/v1/housing-applications/no-such-id", headers=clerk), 404, "not_found"
        )

    @pytest.mark.parametrize(
        ("form", "body", "field", "words"),
        [
            ("rental_subsidy", {}, "outcome", "Field required"),
            ("rental_subsidy", {"outcome": "approved"}, "outcome", "'granted' or 'refused'"),
            ("rental_subsidy", {"outcome": "refused"}, "reason", "must give its reason"),
            ("rental_subsidy", {"outcome": "refused", "reason": " "}, "reason", "at least 1"),
            (
                "rental_subsidy",
                {"outcome": "refused", "reason": "x", "monthly_subsidy": 10},
                "monthly_subsidy",
                "only a granted rental subsidy",
            ),
            ("rental_subsidy", {"outcome": "granted", "reason": "x"}, "reason", "only a refusal"),
            (
                "rental_subsidy",
                {"outcome": "granted", "unit_reference": "WJ-1"},
                "unit_reference",
                "allocates no unit",
            ),
            (
                "rental_subsidy",
                {"outcome": "granted", "monthly_subsidy": -1},
                "monthly_subsidy",
                "greater than 0",
            ),
            (
                "rental_subsidy",
                {"outcome": "granted", "monthly_subsidy": 10.005},
                "monthly_subsidy",
                "2 decimal places",
            ),
            (
                "public_rental_housing",
                {"outcome": "granted"},
                "unit_reference",
                "names the unit allocated",
            ),
            (
                "public_rental_housing",
                {"outcome": "granted", "unit_reference": "WJ-1", "monthly_subsidy": 5},
                "monthly_subsidy",
                "granted as a unit, not money",
            ),
        ],
    )
    def test_an_invalid_outcome_is_422_naming_the_field_and_changes_nothing(
        self,
        housing: TestClient,
        clerk: Headers,
        form: str,
        body: dict[str, Any],
        field: str,
        words: str,
    ) -> None:
        created = applied(housing, clerk, renter(housing), form)

        details = invalid(decide(housing, clerk, created["id"], body))

        assert words in reason_for(details, field)
        read = ok(application(housing, clerk, created["id"]))
        assert read == created

    def test_an_overlong_application_id_is_422(self, housing: TestClient, clerk: Headers) -> None:
        details = invalid(housing.get(f"/v1/housing-applications/{'x' * 65}", headers=clerk))

        assert "at most 64" in reason_for(details, "application_id")
