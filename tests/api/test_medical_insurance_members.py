"""Medical insurance in process: the department supplies what the application did not say of a
member's insurance, and that decides the member's entry (三(六))."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.settlement import SettlementApproved
from tests.api.medical_insurance_support import (
    NOT_INSURED,
    SHIXING,
    MedicalInsuranceApiTests,
    entries_of,
    supply,
)
from tests.support import MEIZHOU, Headers, error_of, invalid, reason_for

# Insured in 梅江区's employees' scheme, a case each bad body below changes one field of.
INSURED = {
    "insured": True,
    "region_code": MEIZHOU,
    "scheme": "employee",
    "months": 3,
    "employed_with_employer_paying": True,
}
NOT_STATED = {"insured": True, "employed_with_employer_paying": True}


class TestSupplyMemberInsurance(MedicalInsuranceApiTests):
    def test_supplied_facts_decide_the_entry_and_the_same_facts_again_change_nothing(
        self, quiet: TestClient, officer: Headers, settled: SettlementApproved
    ) -> None:
        facts = {
            "insured": True,
            "region_code": SHIXING,
            "scheme": "new_rural_cooperative",
            "months": 48,
            "employed_with_employer_paying": False,
        }

        first = supply(quiet, settled.settlement_id, 3, officer, facts)
        assert first.status_code == 200, first.text
        entry = first.json()
        assert (entry["kind"], entry["status"], entry["facts_basis"]) == (
            "transfer",
            "completed",
            "department",
        )
        assert (entry["from_scheme"], entry["to_scheme"]) == (
            "new_rural_cooperative",
            "urban_rural_resident",
        )
        assert entry["months_carried_over"] == 48
        assert supply(quiet, settled.settlement_id, 3, officer, facts).json() == entry
        body = quiet.get(f"/v1/settlements/{settled.settlement_id}", headers=officer).json()
        assert sorted(i["member_index"] for i in body["open_items"]) == [0, 1, 2]  # transfers
        assert body["version"] == 2  # decided again once: the same facts again decide nothing

        other = supply(quiet, settled.settlement_id, 3, officer, NOT_INSURED)
        error_of(other, 409, "conflict")

    def test_a_member_insured_nowhere_is_enrolled(
        self, quiet: TestClient, officer: Headers, settled: SettlementApproved
    ) -> None:
        response = supply(quiet, settled.settlement_id, 3, officer, NOT_INSURED)
        assert (response.json()["kind"], response.json()["to_scheme"]) == (
            "enrollment",
            "urban_rural_resident",
        )

    def test_an_entry_already_decided_is_409(
        self, quiet: TestClient, officer: Headers, settled: SettlementApproved
    ) -> None:
        response = supply(quiet, settled.settlement_id, 0, officer, NOT_INSURED)
        error_of(response, 409, "conflict")

    def test_unknown_settlement_or_member_is_404(
        self, quiet: TestClient, officer: Headers, settled: SettlementApproved
    ) -> None:
        for settlement_id, index in (("nope", 0), (settled.settlement_id, 9)):
            response = supply(quiet, settlement_id, index, officer, NOT_INSURED)
            error_of(response, 404, "not_found")

    @pytest.mark.parametrize(
        ("body", "field", "words"),
        [
            (NOT_STATED, "region_code", "required"),
            (NOT_STATED, "scheme", "required"),
            (NOT_STATED, "months", "required"),
            ({**NOT_INSURED, "region_code": MEIZHOU}, "region_code", "left out"),
            ({**NOT_INSURED, "months": 3}, "months", "left out"),
            ({"insured": False}, "employed_with_employer_paying", "required"),
            ({"employed_with_employer_paying": False}, "insured", "required"),
            ({**INSURED, "region_code": "999999"}, "region_code", "GB/T 2260"),
            ({**INSURED, "scheme": "private"}, "scheme", "new_rural_cooperative"),
            ({**INSURED, "months": -1}, "months", "greater than or equal to 0"),
            ({**NOT_INSURED, "name": "x"}, "name", "Extra inputs"),
        ],
    )
    def test_bad_facts_are_422_naming_the_field(
        self,
        quiet: TestClient,
        officer: Headers,
        settled: SettlementApproved,
        body: dict[str, Any],
        field: str,
        words: str,
    ) -> None:
        response = supply(quiet, settled.settlement_id, 3, officer, body)
        assert words in reason_for(invalid(response), field)
        entry = entries_of(quiet, settled.settlement_id, officer)[3]
        assert entry["status"] == "information_needed"

    def test_a_negative_member_index_or_overlong_settlement_id_is_422(
        self, quiet: TestClient, officer: Headers
    ) -> None:
        response = supply(quiet, "s", -1, officer, NOT_INSURED)
        assert "greater than or equal to 0" in reason_for(invalid(response), "member_index")
        response = quiet.get(f"/v1/settlements/{'x' * 65}", headers=officer)
        assert "at most 64" in reason_for(invalid(response), "settlement_id")
