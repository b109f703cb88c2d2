"""Medical insurance in process: the origin's confirmation of a transfer, and the overdue list
(三(六))."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.medical_insurance import api
from shared import clock
from shared.settlement import SettlementApproved
from tests.api.medical_insurance_support import (
    CONFIRMED,
    DEADLINE,
    MedicalInsuranceApiTests,
    confirm,
    entries_of,
    family,
    record,
)
from tests.support import Headers, error_of, invalid, reason_for

# --- the origin's confirmation ----------------------------------------------------------------


class TestConfirmation(MedicalInsuranceApiTests):
    def test_confirmed_months_carry_over_and_a_second_answer_is_409(
        self, quiet: TestClient, officer: Headers, awaiting: str
    ) -> None:
        response = confirm(quiet, awaiting, officer, CONFIRMED)
        assert response.status_code == 200, response.text
        entry = response.json()
        assert (entry["status"], entry["months_carried_over"], entry["months_declared"]) == (
            "completed",
            31,
            30,
        )
        assert (entry["origin_coverage_end"], entry["continuous"], entry["overdue"]) == (
            "2019-06-30",
            True,
            False,
        )
        assert quiet.get(f"/v1/transfers/{awaiting}", headers=officer).json() == entry
        error_of(confirm(quiet, awaiting, officer, CONFIRMED), 409, "conflict")

    def test_a_refusal_is_recorded_with_its_reason(
        self, quiet: TestClient, officer: Headers, awaiting: str
    ) -> None:
        refusal = {"outcome": "refused", "reason": "no record of the person"}
        entry = confirm(quiet, awaiting, officer, refusal).json()
        assert (entry["status"], entry["months_carried_over"]) == ("refused", None)
        assert "no record of the person" in entry["reason"]

    def test_the_idempotency_key_replays_the_first_answer(
        self, quiet: TestClient, officer: Headers, awaiting: str
    ) -> None:
        keyed = {**officer, "Idempotency-Key": "origin-letter-1"}
        first = confirm(quiet, awaiting, keyed, CONFIRMED)
        again = confirm(quiet, awaiting, keyed, CONFIRMED)
        assert (again.status_code, again.json()) == (first.status_code, first.json())
        other = confirm(quiet, awaiting, keyed, {**CONFIRMED, "months": 5})
        error_of(other, 409, "conflict")

    def test_an_unknown_transfer_is_404(self, quiet: TestClient, officer: Headers) -> None:
        error_of(confirm(quiet, "no-such-transfer", officer, CONFIRMED), 404, "not_found")
        error_of(quiet.get("/v1/transfers/no-such-transfer", headers=officer), 404, "not_found")

    @pytest.mark.parametrize(
        ("body", "field", "words"),
        [
            ({"outcome": "confirmed", "coverage_end": "2019-06-30"}, "months", "required"),
            ({"outcome": "confirmed", "months": 3}, "coverage_end", "required"),
            ({"outcome": "refused"}, "reason", "required"),
            ({"outcome": "refused", "reason": "x", "months": 3}, "months", "left out"),
            ({"outcome": "maybe"}, "outcome", "'confirmed' or 'refused'"),
            ({**CONFIRMED, "coverage_end": "2019-02-30"}, "coverage_end", "date"),
            ({**CONFIRMED, "origin_scheme": "private"}, "origin_scheme", "employee"),
        ],
    )
    def test_bad_answers_are_422_naming_the_field(
        self,
        quiet: TestClient,
        officer: Headers,
        awaiting: str,
        body: dict[str, Any],
        field: str,
        words: str,
    ) -> None:
        assert words in reason_for(invalid(confirm(quiet, awaiting, officer, body)), field)
        assert quiet.get(f"/v1/transfers/{awaiting}", headers=officer).json()["status"] == (
            "awaiting_origin"
        )

    def test_an_overlong_idempotency_key_is_422(
        self, quiet: TestClient, officer: Headers, awaiting: str
    ) -> None:
        headers = {**officer, "Idempotency-Key": "k" * 201}
        reason_for(invalid(confirm(quiet, awaiting, headers, CONFIRMED)), "Idempotency-Key")


# --- overdue transfers --------------------------------------------------------------------------


class TestOverdue(MedicalInsuranceApiTests):
    def on(self, client: TestClient, day: date) -> None:
        client.app.dependency_overrides[api.today] = lambda: day  # type: ignore[attr-defined]

    def test_the_deadline_day_is_not_overdue_and_the_day_after_is(
        self, quiet: TestClient, officer: Headers, settled: SettlementApproved
    ) -> None:
        self.on(quiet, DEADLINE)
        assert entries_of(quiet, settled.settlement_id, officer)[0]["overdue"] is False
        assert quiet.get("/v1/transfers?overdue=true", headers=officer).json()["total"] == 0
        self.on(quiet, DEADLINE + timedelta(days=1))
        assert entries_of(quiet, settled.settlement_id, officer)[0]["overdue"] is True
        page = quiet.get("/v1/transfers?overdue=true", headers=officer).json()
        assert page["total"] == 3  # the applicant, the spouse and the child
        assert {item["settlement_id"] for item in page["items"]} == {settled.settlement_id}

    def test_the_overdue_list_is_paged_and_leaves_out_answered_transfers(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        late, recent = family(), family(decision_date=clock.today())
        record(quiet, late)
        record(quiet, recent)
        first = entries_of(quiet, late.settlement_id, officer)[0]["transfer_id"]
        confirm(quiet, first, officer, CONFIRMED)

        page = quiet.get("/v1/transfers?overdue=true&page_size=1", headers=officer).json()
        assert (page["total"], len(page["items"]), page["page_size"]) == (2, 1, 1)
        assert page["items"][0]["overdue"] is True
        rest = quiet.get("/v1/transfers?overdue=false", headers=officer).json()
        assert rest["total"] == 4  # the confirmed one, and the recent family's three
        done = quiet.get("/v1/transfers?status=completed", headers=officer).json()
        assert [item["transfer_id"] for item in done["items"]] == [first]

    @pytest.mark.parametrize(
        ("query", "field"),
        [
            ("overdue=maybe", "overdue"),
            ("page=0", "page"),
            ("page_size=500", "page_size"),
            ("status=lost", "status"),
        ],
    )
    def test_bad_filters_are_422_naming_the_parameter(
        self, quiet: TestClient, officer: Headers, query: str, field: str
    ) -> None:
        reason_for(invalid(quiet.get(f"/v1/transfers?{query}", headers=officer)), field)
