"""What education refuses with 422, naming the field and changing nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared import clock
from tests.api.education_support import EducationApiTests, completion_path, transfer_path
from tests.support import WUJIANG, Headers, invalid, reason_for


class TestRefusals(EducationApiTests):
    def test_a_settlement_id_too_long_is_422(self, education: TestClient, clerk: Headers) -> None:
        response = education.get(f"/v1/settlements/{'x' * 65}", headers=clerk)
        assert invalid(response)[0]["field"] == "settlement_id"

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"status": "lost"}, "status"),
            ({"region_code": "441402"}, "region_code"),
            ({"region_code": "abc"}, "region_code"),
            ({"page": 0}, "page"),
            ({"page_size": 201}, "page_size"),
        ],
    )
    def test_bad_transfer_list_filters_are_422_naming_the_field(
        self, education: TestClient, clerk: Headers, params: dict[str, Any], field: str
    ) -> None:
        response = education.get("/v1/student-transfers", headers=clerk, params=params)
        assert invalid(response)[0]["field"] == field

    def test_a_receiving_county_outside_shaoguan_lists_the_counties(
        self, education: TestClient, clerk: Headers
    ) -> None:
        response = education.get("/v1/student-transfers?region_code=441402", headers=clerk)
        assert "440203 武江区" in reason_for(invalid(response), "region_code")

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            # Tomorrow in Shaoguan, whatever the zone of the machine running the tests.
            ({"completed_on": (clock.today() + timedelta(days=1)).isoformat()}, "completed_on"),
            ({"completed_on": "2019-02-30"}, "completed_on"),
            ({"receiving_school": ""}, "receiving_school"),
            ({"note": "x" * 1001}, "note"),
            ({"status": "completed"}, "status"),
        ],
    )
    def test_a_bad_completion_is_422_naming_the_field_and_changes_nothing(
        self,
        education: TestClient,
        clerk: Headers,
        transfer: dict[str, Any],
        body: dict[str, Any],
        field: str,
    ) -> None:
        response = education.post(completion_path(transfer), headers=clerk, json=body)
        assert invalid(response)[0]["field"] == field
        after = education.get(transfer_path(transfer), headers=clerk).json()
        assert after["status"] == "requested"

    def test_a_completion_dated_before_the_request_is_422(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        response = education.post(
            completion_path(transfer), headers=clerk, json={"completed_on": "2019-01-01"}
        )
        (detail,) = invalid(response)
        assert detail["field"] == "completed_on"
        assert "before the transfer was requested" in detail["reason"]

    def test_a_completion_body_that_is_not_json_is_422(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        response = education.post(
            completion_path(transfer),
            headers={**clerk, "Content-Type": "application/json"},
            content=b"{not json",
        )
        invalid(response)

    def test_an_idempotency_key_too_long_is_422(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        response = education.post(
            completion_path(transfer), headers={**clerk, "Idempotency-Key": "k" * 201}
        )
        assert invalid(response)[0]["field"] == "Idempotency-Key"

    @pytest.mark.parametrize("county", ["441402", "440200", "999999"])
    def test_planning_for_a_county_outside_shaoguan_is_422(
        self, education: TestClient, clerk: Headers, county: str
    ) -> None:
        response = education.get(f"/v1/planning/{county}?year=2019", headers=clerk)
        assert invalid(response)[0]["field"] == "region_code"

    @pytest.mark.parametrize("query", ["", "?year=2015", "?year=2101", "?year=next"])
    def test_planning_needs_a_school_year_from_2016(
        self, education: TestClient, clerk: Headers, query: str
    ) -> None:
        response = education.get(f"/v1/planning/{WUJIANG}{query}", headers=clerk)
        assert invalid(response)[0]["field"] == "year"
