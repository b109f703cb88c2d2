"""The yearly endorsement (签注, 居住证暂行条例 第十条) through the API: on time, late, refused."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.residence_permit_support import (
    STILL_RESIDENT,
    ResidencePermitApiTests,
    application,
    endorse,
    endorsed_today,
    field_reasons,
    issued,
    issued_on,
    today,
    years_ago,
)
from tests.support import Headers, error_of


class TestEndorse(ResidencePermitApiTests):
    def test_an_endorsement_in_the_month_before_the_year_is_full_extends_it(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, issued_on(years_ago(1, days=-10)))
        endorsed = endorsed_today(service, officer, permit["id"])
        old_end = date.fromisoformat(permit["valid_to"])
        assert endorsed["endorsement"]["kind"] == "on_time"
        assert endorsed["endorsement"]["previous_valid_to"] == permit["valid_to"]
        assert endorsed["permit"]["valid_from"] == (old_end + timedelta(days=1)).isoformat()
        assert date.fromisoformat(endorsed["permit"]["valid_to"]) > old_end + timedelta(days=360)
        assert endorsed["permit"]["residence_counted_from"] == permit["issued_on"]
        assert endorsed["permit"]["endorsements"] == [endorsed["endorsement"]]

    def test_an_endorsement_before_the_window_opens_is_409(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, application())
        error = error_of(endorse(service, officer, permit["id"], STILL_RESIDENT), 409, "conflict")
        assert "too early" in error["message"] and "第十条" in error["message"]

    def test_a_lapsed_permit_reads_lapsed_and_a_make_up_endorsement_restores_it(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, issued_on(years_ago(1, days=1)))
        assert permit["status"] == "lapsed"
        endorsed = endorsed_today(service, officer, permit["id"])
        assert endorsed["endorsement"]["kind"] == "make_up"
        assert "补办签注" in endorsed["endorsement"]["reason"]
        restored = endorsed["permit"]
        assert restored["status"] == "valid"
        assert restored["valid_from"] == restored["residence_counted_from"] == today().isoformat()

    def test_a_permit_issued_a_year_less_a_day_ago_is_in_its_last_valid_day(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, issued_on(years_ago(1, days=-1)))
        assert permit["status"] == "valid"
        # today, or tomorrow where a 29 February moved the anniversary
        assert permit["valid_to"] in (
            today().isoformat(),
            (today() + timedelta(days=1)).isoformat(),
        )

    def test_a_holder_no_longer_resident_is_422_naming_still_resident(
        self, service: TestClient, officer: Headers
    ) -> None:
        permit = issued(service, officer, issued_on(years_ago(1, days=-10)))
        reasons = field_reasons(endorse(service, officer, permit["id"], {"still_resident": False}))
        assert "第十条" in reasons["still_resident"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "still_resident"),
            ({"still_resident": True, "endorsed_on": "2999-01-01"}, "endorsed_on"),
            ({"still_resident": True, "endorsed_on": "2001-01-01"}, "endorsed_on"),
            ({"still_resident": True, "extra": 1}, "extra"),
        ],
    )
    def test_invalid_endorsements_are_422_naming_the_field(
        self, service: TestClient, officer: Headers, body: dict[str, Any], field: str
    ) -> None:
        permit = issued(service, officer, application())
        assert field in field_reasons(endorse(service, officer, permit["id"], body))

    def test_endorsing_an_unknown_permit_is_404(
        self, service: TestClient, officer: Headers
    ) -> None:
        error_of(endorse(service, officer, "nope", STILL_RESIDENT), 404, "not_found")
