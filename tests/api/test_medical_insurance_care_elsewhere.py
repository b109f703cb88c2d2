"""Medical insurance: a member's filing (备案) for care at the origin while the transfer is under
way, so care there has no gap (三(六) "完善并落实医保关系转移接续办法和异地就医结算办法")."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from services.medical_insurance import api
from shared.settlement import SettlementApproved
from tests.api.medical_insurance_support import (
    CONFIRMED,
    DECISION_DAY,
    MedicalInsuranceApiTests,
    confirm,
    entries_of,
)
from tests.conftest import TokenFactory
from tests.support import MEIZHOU, Headers, error_of, invalid, ok, reason_for

TODAY = DECISION_DAY + timedelta(days=9)  # the day the tests record filings on


def file_care(
    client: TestClient, transfer_id: str, headers: Headers, body: Any = None
) -> httpx.Response:
    """POST a filing for care at the transfer's origin."""
    path = f"/v1/transfers/{transfer_id}/care-elsewhere-filings"
    response: httpx.Response = client.post(path, headers=headers, json=body or {})
    return response


def end(client: TestClient, filing_id: str, headers: Headers, reason: str) -> httpx.Response:
    path = f"/v1/care-elsewhere-filings/{filing_id}/end"
    response: httpx.Response = client.post(path, headers=headers, json={"reason": reason})
    return response


class CareElsewhereTests(MedicalInsuranceApiTests):
    @pytest.fixture(autouse=True)
    def on_today(self, quiet: TestClient) -> None:
        """Shaoguan's date is TODAY for every route."""
        quiet.app.dependency_overrides[api.today] = lambda: TODAY  # type: ignore[attr-defined]


class TestFiling(CareElsewhereTests):
    def test_a_filing_is_for_the_origin_and_shows_in_the_settlements_answer(
        self, quiet: TestClient, officer: Headers, settled: SettlementApproved, awaiting: str
    ) -> None:
        filing = ok(file_care(quiet, awaiting, officer), 201)

        assert (filing["care_region_code"], filing["status"]) == (MEIZHOU, "in_force")
        assert (filing["starts_on"], filing["ended_on"]) == (TODAY.isoformat(), None)
        assert (filing["transfer_id"], filing["member_index"]) == (awaiting, 0)
        assert filing["clause"] == "三(六)" and "异地就医结算办法" in filing["reason"]
        applicant, spouse, *_ = entries_of(quiet, settled.settlement_id, officer)
        assert applicant["care_elsewhere_filings"] == [filing]
        assert spouse["care_elsewhere_filings"] == []  # a filing is the member's own
        read = quiet.get(f"/v1/care-elsewhere-filings/{filing['filing_id']}", headers=officer)
        assert ok(read) == filing

    def test_it_may_start_on_the_first_day_of_coverage_in_the_city_not_the_day_before(
        self, quiet: TestClient, officer: Headers, awaiting: str
    ) -> None:
        day_before = {"starts_on": (DECISION_DAY - timedelta(days=1)).isoformat()}
        reason = reason_for(invalid(file_care(quiet, awaiting, officer, day_before)), "starts_on")
        assert "coverage in the city began" in reason

        first_day = {"starts_on": DECISION_DAY.isoformat()}
        assert ok(file_care(quiet, awaiting, officer, first_day), 201)["starts_on"] == "2019-06-01"

    def test_it_may_start_today_not_tomorrow(
        self, quiet: TestClient, officer: Headers, awaiting: str
    ) -> None:
        tomorrow = {"starts_on": (TODAY + timedelta(days=1)).isoformat()}
        reason = reason_for(invalid(file_care(quiet, awaiting, officer, tomorrow)), "starts_on")
        assert "after today" in reason

        assert ok(file_care(quiet, awaiting, officer, {"starts_on": TODAY.isoformat()}), 201)

    def test_a_second_filing_while_one_is_in_force_is_409_naming_it(
        self, quiet: TestClient, officer: Headers, awaiting: str
    ) -> None:
        first = ok(file_care(quiet, awaiting, officer), 201)

        error = error_of(file_care(quiet, awaiting, officer), 409, "conflict")

        assert first["filing_id"] in error["message"]
        assert error["details"][0]["filing"] == first["filing_id"]

    def test_the_idempotency_key_replays_the_first_filing(
        self, quiet: TestClient, officer: Headers, settled: SettlementApproved, awaiting: str
    ) -> None:
        keyed = {**officer, "Idempotency-Key": "counter-visit-1"}
        first = ok(file_care(quiet, awaiting, keyed), 201)

        assert ok(file_care(quiet, awaiting, keyed), 201) == first
        applicant = entries_of(quiet, settled.settlement_id, officer)[0]
        assert len(applicant["care_elsewhere_filings"]) == 1

    def test_an_unknown_transfer_is_404_and_reading_may_not_file(
        self, quiet: TestClient, officer: Headers, auth: TokenFactory, awaiting: str
    ) -> None:
        error_of(file_care(quiet, "no-such-transfer", officer), 404, "not_found")
        error_of(file_care(quiet, awaiting, auth("public_security")), 403, "forbidden")


class TestEnding(CareElsewhereTests):
    def test_the_origins_confirmation_ends_the_filing_that_day(
        self, quiet: TestClient, officer: Headers, awaiting: str
    ) -> None:
        ok(file_care(quiet, awaiting, officer), 201)

        entry = ok(confirm(quiet, awaiting, officer, CONFIRMED))

        (filing,) = entry["care_elsewhere_filings"]
        assert (filing["status"], filing["ended_on"]) == ("ended", TODAY.isoformat())
        assert "The origin confirmed the transfer" in filing["end_reason"]
        error = error_of(file_care(quiet, awaiting, officer), 409, "conflict")
        assert "no longer under way" in error["details"][0]["reason"]

    def test_a_refusal_ends_it_too(
        self, quiet: TestClient, officer: Headers, awaiting: str
    ) -> None:
        ok(file_care(quiet, awaiting, officer), 201)

        refusal = {"outcome": "refused", "reason": "no record of the person"}
        (filing,) = ok(confirm(quiet, awaiting, officer, refusal))["care_elsewhere_filings"]

        assert filing["status"] == "ended"
        assert "The origin refused the transfer" in filing["end_reason"]

    def test_the_department_ends_it_with_the_reason_once_and_may_file_again(
        self, quiet: TestClient, officer: Headers, awaiting: str
    ) -> None:
        first = ok(file_care(quiet, awaiting, officer), 201)

        ended = ok(end(quiet, first["filing_id"], officer, "moved back to the city"))

        assert (ended["status"], ended["ended_on"]) == ("ended", TODAY.isoformat())
        assert "moved back to the city" in ended["end_reason"]
        error_of(end(quiet, first["filing_id"], officer, "again"), 409, "conflict")
        again = ok(file_care(quiet, awaiting, officer), 201)
        assert again["filing_id"] != first["filing_id"]

    def test_an_end_without_a_reason_is_422(
        self, quiet: TestClient, officer: Headers, awaiting: str
    ) -> None:
        filing = ok(file_care(quiet, awaiting, officer), 201)

        assert reason_for(invalid(end(quiet, filing["filing_id"], officer, "")), "reason")
