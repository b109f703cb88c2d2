"""Every county's public rental housing waiting list counted (三(五)): the supply public
security reads beside its settlement targets (二.7 "根据我市公共服务资源供给情况")."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.api.housing_support import (
    QUJIANG,
    ZHENJIANG,
    HousingApiTests,
    applied,
    decide,
    owner,
    renter,
)
from tests.conftest import TokenFactory
from tests.support import WUJIANG, Headers, error_of, ok


def counts(client: TestClient, headers: Headers) -> dict[str, tuple[int, int]]:
    """GET /v1/waiting-lists: each county's (households, persons)."""
    body: dict[str, Any] = ok(client.get("/v1/waiting-lists", headers=headers))
    assert body["clause"] == "三(五)"
    return {c["region_code"]: (c["households"], c["persons"]) for c in body["counties"]}


class TestWaitingCounts(HousingApiTests):
    def test_each_county_counts_the_households_waiting_and_their_members(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        for county in (WUJIANG, WUJIANG, QUJIANG):
            applied(fresh, clerk, owner(fresh, county), "public_rental_housing")

        counted = counts(fresh, clerk)

        assert len(counted) == 10  # every county, one with no list too
        assert counted[WUJIANG] == (2, 6)  # two families of three
        assert counted[QUJIANG] == (1, 3)
        assert counted[ZHENJIANG] == (0, 0)

    def test_a_household_granted_a_unit_or_asking_for_the_subsidy_is_not_waiting(
        self, fresh: TestClient, clerk: Headers
    ) -> None:
        housed = applied(fresh, clerk, owner(fresh), "public_rental_housing")["id"]
        applied(fresh, clerk, owner(fresh), "public_rental_housing")
        applied(fresh, clerk, renter(fresh), "rental_subsidy")

        ok(decide(fresh, clerk, housed, {"outcome": "granted", "unit_reference": "WJ-1"}))

        assert counts(fresh, clerk)[WUJIANG] == (1, 3)

    def test_public_security_reads_it_and_agriculture_may_not(
        self, fresh: TestClient, auth: TokenFactory
    ) -> None:
        assert counts(fresh, auth("public_security"))[WUJIANG] == (0, 0)
        error_of(fresh.get("/v1/waiting-lists", headers=auth("agriculture")), 403, "forbidden")
