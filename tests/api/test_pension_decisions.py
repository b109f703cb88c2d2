"""What the pension service decides on an approved settlement read from the log (三(七))."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date

from fastapi.testclient import TestClient

from shared.settings import Settings
from tests import support
from tests.api.pension_support import (
    QUJIANG,
    ZHENJIANG,
    PensionApiTests,
    acted_on,
    decided,
    member_of,
    reported,
    settlement,
)
from tests.support import Headers, publish_settlement


class TestDecisions(PensionApiTests):
    def test_a_settlement_not_acted_on_is_a_404_with_an_error_body(
        self, client: TestClient, officer: Headers
    ) -> None:
        response = client.get(f"/v1/settlements/{uuid.uuid4()}", headers=officer)

        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"

    def test_a_family_gets_a_continuation_per_adult_and_one_minimum_living_assessment(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement()

        body = decided(client, settings, officer, data)

        assert body["settlement_id"] == data.settlement_id
        assert body["decision_date"] == "2019-06-01"
        assert [c["member_index"] for c in body["continuations"]] == [0, 1, 3]  # no child
        applicant, spouse, grandfather = body["continuations"]
        assert applicant["relation"] == "applicant"
        assert applicant["scheme"] == "employee"
        assert applicant["months_carried_over"] == 14
        assert applicant["status"] == "continued"
        assert spouse["scheme"] == "information_needed"
        assert spouse["status"] == "information_needed"
        assert grandfather["status"] == "drawing"
        assert grandfather["age_on_decision_date"] == 69
        for continuation in body["continuations"]:
            assert continuation["clause"] == "三(七)"
            assert continuation["reason"]
            assert any(p["name"] == "age_of_majority" for p in continuation["parameters"])
        assessment = body["minimum_living"]
        assert assessment["outcome"] == "not_eligible"  # 4200 / 4 = 1050, standard 600
        assert assessment["household_size"] == 4
        assert assessment["per_capita_income"] == 1050.0
        assert assessment["standard"] == 600.0
        assert assessment["parameters"][0]["source"] == "test fixture"
        assert body["information_needed"] == spouse["missing"] + grandfather["missing"]

    def test_identity_numbers_are_shown_masked_never_whole(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement()

        body = decided(client, settings, officer, data)

        text = json.dumps(body, ensure_ascii=False)
        for member in data.members:
            assert member.id_number not in text
            assert member.name not in text
        assert re.fullmatch(
            r"[0-9]{4}\*{10}[0-9X]{4}", body["continuations"][0]["id_number_masked"]
        )

    def test_a_poor_household_is_eligible_for_the_minimum_living_guarantee(
        self, client: TestClient, settings: Settings, civil_affairs: Headers
    ) -> None:
        data = settlement(
            members=[
                support.member(date(1985, 1, 1), "applicant"),
                support.member(date(2015, 1, 1), "child"),
            ],
            housing={"monthly_household_income": 1000},
        )
        decided(client, settings, civil_affairs, data)

        response = client.get(
            f"/v1/settlements/{data.settlement_id}/minimum-living", headers=civil_affairs
        )

        assert response.status_code == 200
        assessment = response.json()
        assert assessment["outcome"] == "eligible"  # 500 per person, below 600
        assert assessment["per_capita_income"] == 500.0
        assert assessment["clause"] == "三(七)"
        assert assessment["unit"] == "yuan per person per month"

    def test_a_county_without_a_standard_is_information_needed_naming_it(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        body = decided(client, settings, officer, settlement(region=QUJIANG))

        assessment = body["minimum_living"]
        assert assessment["outcome"] == "information_needed"
        assert assessment["missing"] == [f"local parameter minimum_living_standard for {QUJIANG}"]

    def test_missing_income_is_information_needed_naming_it(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        assessment = decided(client, settings, officer, settlement(housing={}))["minimum_living"]

        assert assessment["outcome"] == "information_needed"
        assert assessment["missing"] == ["housing.monthly_household_income"]

    def test_a_county_presumption_puts_other_adults_in_the_residents_scheme(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        spouse = member_of(decided(client, settings, officer, settlement(region=ZHENJIANG)), 1)

        assert spouse["scheme"] == "urban_rural_resident"
        assert spouse["status"] == "awaiting_origin"
        assert spouse["months_carried_over"] is None
        assert any(
            p["name"] == "default_scheme_for_non_employed_adults" for p in spouse["parameters"]
        )

    def test_the_processed_report_is_done_with_a_summary_free_of_personal_data(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        data = settlement()
        publish_settlement(settings, data)
        acted_on(client, officer, data.settlement_id)

        (report,) = reported(settings, data.settlement_id)

        assert report["service"] == "pension"
        assert report["outcome"] == "done"
        assert "3 pension continuations" in report["summary"]
        assert not re.search(r"[0-9]{15}", report["summary"])
