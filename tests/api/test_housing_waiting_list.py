"""Each county's public rental housing waiting list: in order, paged, with no personal data."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from shared import clock
from tests.api.housing_support import (
    QUJIANG,
    ZHENJIANG,
    HousingApiTests,
    application,
    applied,
    decide,
    owner,
    renter,
    waiting,
)
from tests.support import WUJIANG, Headers, invalid, ok, reason_for


class TestWaitingList(HousingApiTests):
    def test_the_list_is_in_order_of_application_with_no_personal_data(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        first, second, third = owner(fresh), owner(fresh), renter(fresh)
        for settlement_id in (first, second, third):
            applied(fresh, clerk, settlement_id, "public_rental_housing")

        listed = waiting(fresh, clerk)

        assert (listed["region_code"], listed["region_name"], listed["total"]) == (
            WUJIANG,
            "武江区",
            3,
        )
        assert [
            (e["position"], e["queue_number"], e["settlement_id"]) for e in listed["items"]
        ] == [
            (1, 1, first),
            (2, 2, second),
            (3, 3, third),
        ]
        entry = listed["items"][0]
        assert set(entry) == {
            "position",
            "queue_number",
            "application_id",
            "settlement_id",
            "household_size",
            "since",
        }
        assert entry["household_size"] == 3
        assert entry["since"] == clock.today().isoformat()

    def test_each_county_has_its_own_list_and_numbers(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        applied(fresh, clerk, owner(fresh, WUJIANG), "public_rental_housing")
        elsewhere = applied(fresh, clerk, owner(fresh, QUJIANG), "public_rental_housing")

        assert elsewhere["waiting_list"] == {"queue_number": 1, "position": 1}
        assert waiting(fresh, clerk, QUJIANG)["total"] == 1
        assert waiting(fresh, clerk, ZHENJIANG) == {
            "region_code": ZHENJIANG,
            "region_name": "浈江区",
            "total": 0,
            "page": 1,
            "page_size": 100,
            "items": [],
        }

    def test_a_household_granted_a_unit_leaves_and_those_behind_move_up(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        ids = [applied(fresh, clerk, owner(fresh), "public_rental_housing")["id"] for _ in "abc"]

        ok(decide(fresh, clerk, ids[0], {"outcome": "granted", "unit_reference": "WJ-1"}))

        entries = waiting(fresh, clerk)["items"]
        assert [(e["application_id"], e["position"], e["queue_number"]) for e in entries] == [
            (ids[1], 1, 2),
            (ids[2], 2, 3),
        ]
        last = ok(application(fresh, clerk, ids[2]))
        assert last["waiting_list"] == {"queue_number": 3, "position": 2}

    def test_a_rental_subsidy_application_is_not_on_the_list(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        applied(fresh, clerk, renter(fresh), "rental_subsidy")

        assert waiting(fresh, clerk)["total"] == 0

    def test_pages_keep_the_positions(self, fresh: TestClient, clerk: Headers) -> None:
        for _ in range(3):
            applied(fresh, clerk, owner(fresh), "public_rental_housing")

        page = waiting(fresh, clerk, page=2, page_size=2)

        assert page["total"] == 3
        assert [e["position"] for e in page["items"]] == [3]

    @pytest.mark.parametrize("county", ["440106", "440200", "abc", "4402031"])
    def test_a_county_outside_shaoguan_is_422(
        self, housing: TestClient, clerk: Headers, county: str
    ) -> None:
        details = invalid(housing.get(f"/v1/waiting-lists/{county}", headers=clerk))

        assert "not a county or district of Shaoguan" in reason_for(details, "region_code")

    @pytest.mark.parametrize(
        ("params", "field"), [({"page": 0}, "page"), ({"page_size": 501}, "page_size")]
    )
    def test_a_page_out_of_range_is_422(
        self, housing: TestClient, clerk: Headers, params: dict[str, int], field: str
    ) -> None:
        details = invalid(housing.get(f"/v1/waiting-lists/{WUJIANG}", headers=clerk, params=params))

        assert reason_for(details, field)
