"""What education refuses with 422, naming the field and changing nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from shared import clock
from tests.api.education_support import (
    WUJIANG,
    EducationApiTests,
    Headers,
    completion_path,
    transfer_path,
)


def field_of(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    body = response.json()["error"]
    assert body["code"] == "invalid_input"
    field: str = body["details"][0]["field"]
    assert body["details"][0]["reason"]
    return field


class TestRefusals(EducationApiTests):
    def test_a_settlement_id_too_long_is_422(self, education: TestClient, clerk: Headers) -> None:
        response = education.get(f"/v1/settlements/{'x' * 65}", headers=clerk)
        assert field_of(response) == "settlement_id"

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
        assert field_of(response) == field

    def test_a_receiving_county_outside_shaoguan_lists_the_counties(
        self, education: TestClient, clerk: Headers
    ) -> None:
        response = education.get("/v1/student-transfers?region_code=441402", headers=clerk)
        assert "440203 武江区" in response.json()["error"]["details"][0]["reason"]

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
        assert field_of(response) == field
        after = education.get(transfer_path(transfer), headers=clerk).json()
        assert after["status"] == "requested"

    def test_a_completion_dated_before_the_request_is_422(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        response = education.post(
            completion_path(transfer), headers=clerk, json={"completed_on": "2019-01-01"}
        )
        assert field_of(response) == "completed_on"
        assert (
            "before the transfer was requested" in response.json()["error"]["details"][0]["reason"]
        )

    def test_a_completion_body_that_is_not_json_is_422(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        response = education.post(
            completion_path(transfer),
            headers={**clerk, "Content-Type": "application/json"},
            content=b"{not json",
        )
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_input"

    def test_an_idempotency_key_too_long_is_422(
        self, education: TestClient, clerk: Headers, transfer: dict[str, Any]
    ) -> None:
        response = education.post(
            completion_path(transfer), headers={**clerk, "Idempotency-Key": "k" * 201}
        )
        assert field_of(response) == "Idempotency-Key"

    @pytest.mark.parametrize("county", ["441402", "440200", "999999"])
    def test_planning_for_a_county_outside_shaoguan_is_422(
        self, education: TestClient, clerk: Headers, county: str
    ) -> None:
        response = education.get(f"/v1/planning/{county}?year=2019", headers=clerk)
        assert field_of(response) == "region_code"

    @pytest.mark.parametrize("query", ["", "?year=2015", "?year=2101", "?year=next"])
    def test_planning_needs_a_school_year_from_2016(
        self, education: TestClient, clerk: Headers, query: str
    ) -> None:
        response = education.get(f"/v1/planning/{WUJIANG}{query}", headers=clerk)
        assert field_of(response) == "year"
