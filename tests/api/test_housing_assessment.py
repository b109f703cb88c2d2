"""Housing's assessment of a settled household (三(五)), as the API shows it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.housing.app import build
from shared.settings import Settings
from tests.api.housing_support import (
    AREA_LIMIT,
    INCOME_LIMIT,
    ZHENJIANG,
    HousingApiTests,
    assessed,
    configure,
    parameter,
    reasons,
    settlement,
)
from tests.support import Headers


class TestAssessment(HousingApiTests):
    @pytest.mark.parametrize(
        ("facts", "outcome", "rule", "words"),
        [
            (
                {"monthly_household_income": 4500.03, "current_area_m2": 0},
                "not_eligible",
                "income_within_limit",
                ["1500.01 yuan per person per month", "is above the limit of 1500"],
            ),
            (
                {"monthly_household_income": 4499.97, "current_area_m2": 0},
                "rental_subsidy",
                "income_within_limit",
                ["1499.99 yuan per person per month"],
            ),
            (
                {"monthly_household_income": 3000, "current_area_m2": 45},
                "not_eligible",
                "area_below_limit",
                ["15.00 m2 per person (45.00 m2 for 3 persons) is at or above the limit of 15"],
            ),
        ],
        ids=["income-just-above", "income-just-below", "area-at-the-limit"],
    )
    def test_a_limit_at_its_edge_decides_stating_the_numbers(
        self,
        housing: TestClient,
        clerk: Headers,
        facts: dict[str, Any],
        outcome: str,
        rule: str,
        words: list[str],
    ) -> None:
        assessment = assessed(housing, clerk, settlement(housing=facts))

        assert assessment["outcome"] == outcome
        for said in words:
            assert said in reasons(assessment)[rule]
        if outcome == "not_eligible":
            assert assessment["eligible"] is False
            assert assessment["forms"] == []

    def test_a_household_with_a_small_dwelling_of_its_own_goes_on_the_waiting_list(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        owner = settlement(
            residence={"address": "武江区新华路 2 号", "tenure": "owned", "since": "2015-01-01"},
            housing={"monthly_household_income": 3000, "current_area_m2": 30},
        )

        assessment = assessed(housing, clerk, owner)

        assert assessment["outcome"] == "public_rental_housing"
        assert assessment["forms"] == ["public_rental_housing"]
        assert assessment["monthly_rental_subsidy"] is None

    def test_missing_housing_facts_are_information_needed_naming_them(
        self, housing: TestClient, clerk: Headers
    ) -> None:
        unknown = settlement(housing=None)

        assessment = assessed(housing, clerk, unknown)

        assert assessment["outcome"] == "information_needed"
        assert assessment["eligible"] is None
        assert assessment["information_needed"] == [
            "housing.monthly_household_income",
            "housing.current_area_m2",
        ]
        assert assessment["facts"]["monthly_household_income"] is None

    def test_a_parameter_not_in_force_for_the_county_on_the_date_is_named(
        self, housing: TestClient, clerk: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        configure(
            monkeypatch,
            [
                {**INCOME_LIMIT, "region_code": ZHENJIANG},
                {**AREA_LIMIT, "valid_from": "2019-06-02"},
            ],
        )

        assessment = assessed(housing, clerk)

        assert assessment["outcome"] == "information_needed"
        assert assessment["information_needed"] == [
            "parameters.income_limit_per_capita",
            "parameters.area_limit_per_capita",
        ]
        assert "440203 or citywide on 2019-06-01" in reasons(assessment)["area_below_limit"]
        assert assessment["parameters_used"] == []

    def test_the_parameters_of_the_decision_date_decide_not_todays(
        self, housing: TestClient, clerk: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        configure(
            monkeypatch,
            [
                {**INCOME_LIMIT, "value": 1300, "valid_to": "2019-12-31"},
                {**INCOME_LIMIT, "value": 2000, "valid_from": "2020-01-01"},
                AREA_LIMIT,
            ],
        )

        assessment = assessed(housing, clerk)

        assert assessment["outcome"] == "not_eligible"
        assert assessment["parameters_used"][0]["value"] == 1300
        assert assessment["parameters_used"][0]["valid_to"] == "2019-12-31"

    def test_an_eligible_renter_without_a_subsidy_amount_in_force_has_the_amount_named(
        self, housing: TestClient, clerk: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        configure(monkeypatch, [INCOME_LIMIT, AREA_LIMIT])

        assessment = assessed(housing, clerk)

        assert assessment["outcome"] == "rental_subsidy"
        assert assessment["monthly_rental_subsidy"] is None
        assert assessment["information_needed"] == ["parameters.rental_subsidy_amount_per_capita"]

    def test_invalid_parameters_stop_the_service_at_start(
        self, settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(
            "LUOHU_HOUSING_PARAMETERS", json.dumps([parameter("income_limit", 1500, "yuan")])
        )

        with pytest.raises(ValueError, match="not a housing parameter"):
            build(settings)
