"""The hukou API: who of a household settles (二.3, 举家进城落户). A member who cannot settle with
the applicant is left out of the application with the reason, the rest are decided, and only
those who settle travel in `settlement.approved`."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi.testclient import TestClient

from shared.events.sealing import open_section
from shared.keys import keyring_for
from shared.settings import Settings
from tests.api.conftest import application
from tests.api.hukou_support import (
    HukouApiTests,
    approve,
    approved_events,
    fetch,
    submit,
    submitted,
    this_year,
)
from tests.support import WUJIANG, Headers, error_of, eventually, person_id


def with_adult_child() -> dict[str, Any]:
    """The spouse, a child of 7 and a child of 19 on the day received (2019-06-01)."""
    body = application()
    body["household"].append(
        {"id_number": person_id(date(2000, 5, 31)), "name": "张大", "relation": "child"}
    )
    return body


class TestHousehold(HukouApiTests):
    def test_an_adult_child_is_left_out_and_the_rest_of_the_family_is_eligible(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, with_adult_child())

        assert created["status"] == "eligible"
        members = created["eligibility"]["members"]
        assert [(m["index"], m["relation"], m["settles"]) for m in members] == [
            (0, "applicant", True),
            (1, "spouse", True),
            (2, "child", True),
            (3, "child", False),
        ]
        assert members[3]["clause"] == "二.3"
        assert "is 19 on 2019-06-01, an adult" in members[3]["reason"]
        assert "may apply on their own" in members[3]["reason"]
        assert fetch(hukou, officer, created["id"])["eligibility"]["members"] == members

    def test_the_adult_child_left_out_may_apply_on_their_own_at_once(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        family = submitted(hukou, officer, with_adult_child())
        assert family["status"] == "eligible"  # an open application: it holds who settles
        own = application(household=[])
        own["applicant"]["id_number"] = family["household"][2]["id_number"]
        spouse = application(household=[])
        spouse["applicant"]["id_number"] = family["household"][0]["id_number"]

        assert submitted(hukou, officer, own)["status"] == "eligible"
        error_of(submit(hukou, officer, spouse), 409, "conflict")

    def test_the_approval_carries_only_the_members_who_settle(
        self, hukou_with_relay: TestClient, officer: Headers, settings: Settings
    ) -> None:
        created = submitted(hukou_with_relay, officer, with_adult_child())
        assert approve(hukou_with_relay, officer, created["id"]).status_code == 200

        eventually(lambda: len(approved_events(settings)) >= 1)
        (event,) = approved_events(settings)
        data = event["data"]
        assert data["household_size"] == 3
        opened = open_section(data, keyring_for(settings), "education")
        settling = (created["applicant"], *created["household"][:2])
        assert [m["id_number"] for m in opened["members"]] == [p["id_number"] for p in settling]

    def test_the_settlement_targets_count_only_the_members_who_settle(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        created = submitted(hukou, officer, with_adult_child())
        assert approve(hukou, officer, created["id"]).status_code == 200

        response = hukou.get(f"/v1/settlement-targets/{this_year()}", headers=officer)

        (row,) = [row for row in response.json() if row["region_code"] == WUJIANG]
        assert (row["approved_applications"], row["settled_persons"]) == (1, 3)
