"""The hukou API: settlement targets per county and year (一.1, 二.7), which never refuse."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import application
from tests.api.hukou_support import (
    ZHENJIANG,
    HukouApiTests,
    approve,
    ineligible_body,
    reject,
    submitted,
    this_year,
)
from tests.conftest import TokenFactory
from tests.support import WUJIANG, Headers, error_of, invalid, reason_for


def set_target(
    client: TestClient, headers: Headers, persons: int, *, county: str = WUJIANG
) -> httpx.Response:
    return client.put(
        f"/v1/settlement-targets/{this_year()}/{county}",
        headers=headers,
        json={"target_persons": persons, "note": "2017 work plan"},
    )


def target_of(client: TestClient, headers: Headers, county: str = WUJIANG) -> dict[str, Any]:
    response = client.get(f"/v1/settlement-targets/{this_year()}", headers=headers)
    assert response.status_code == 200, response.text
    (row,) = [row for row in response.json() if row["region_code"] == county]
    return row


class TestTargets(HukouApiTests):
    def test_a_target_shows_beside_the_people_approved_to_settle(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        put = set_target(hukou, officer, 10)
        assert put.status_code == 200
        created = submitted(hukou, officer, application())  # three people
        approve(hukou, officer, created["id"])

        row = target_of(hukou, officer)

        assert row["target_persons"] == 10
        assert row["note"] == "2017 work plan"
        assert row["settled_persons"] == 3
        assert row["approved_applications"] == 1
        assert "7 persons to the target" in row["advisory"]

    def test_only_approved_applications_count(self, hukou: TestClient, officer: Headers) -> None:
        set_target(hukou, officer, 10)
        submitted(hukou, officer, application())
        submitted(hukou, officer, ineligible_body())
        rejected = submitted(hukou, officer, application())
        reject(hukou, officer, rejected["id"])

        row = target_of(hukou, officer)

        assert (row["settled_persons"], row["approved_applications"]) == (0, 0)

    def test_every_county_is_listed_and_one_without_a_target_says_so(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        rows = set_target(hukou, officer, 5).json()

        assert len(rows) == 10
        assert {row["region_code"] for row in rows} >= {WUJIANG, ZHENJIANG, "440282"}
        other = next(row for row in rows if row["region_code"] == ZHENJIANG)
        assert other["target_persons"] is None
        assert other["advisory"] == "no target set"

    def test_setting_a_target_again_replaces_it(self, hukou: TestClient, officer: Headers) -> None:
        set_target(hukou, officer, 5)
        set_target(hukou, officer, 8)

        assert target_of(hukou, officer)["target_persons"] == 8

    def test_approving_beyond_the_target_succeeds_and_says_it_is_reached(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        set_target(hukou, officer, 2)
        created = submitted(hukou, officer, application())  # three people, target two

        response = approve(hukou, officer, created["id"])

        assert response.status_code == 200
        assert response.json()["status"] == "approved"
        row = target_of(hukou, officer)
        assert row["settled_persons"] == 3
        assert "target reached" in row["advisory"]
        assert "二.7" in row["advisory"]
        # ... and the next eligible household is approved all the same.
        later = submitted(hukou, officer, application())
        assert approve(hukou, officer, later["id"]).status_code == 200
        assert target_of(hukou, officer)["settled_persons"] == 6

    @pytest.mark.parametrize("county", ["440300", "440200", "440221"])
    def test_a_county_outside_shaoguan_is_422(
        self, hukou: TestClient, officer: Headers, county: str
    ) -> None:
        details = invalid(set_target(hukou, officer, 5, county=county))

        assert "Shaoguan" in reason_for(details, "region_code")

    def test_a_negative_target_is_422(self, hukou: TestClient, officer: Headers) -> None:
        details = invalid(set_target(hukou, officer, -1))

        assert reason_for(details, "target_persons")

    def test_housing_may_not_set_a_target(self, hukou: TestClient, auth: TokenFactory) -> None:
        error_of(set_target(hukou, auth("housing"), 5), 403, "forbidden")

        assert target_of(hukou, auth("public_security"))["target_persons"] is None

    def test_report_readers_may_read_the_targets(
        self, hukou: TestClient, auth: TokenFactory
    ) -> None:
        assert target_of(hukou, auth("finance"))["advisory"] == "no target set"
        error_of(set_target(hukou, auth("finance"), 5), 403, "forbidden")
