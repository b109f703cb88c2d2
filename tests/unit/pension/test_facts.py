"""What pension reads of an approved settlement: the facts its rules take, nothing guessed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.pension.operations import facts_from
from shared.settlement import SettlementApproved
from tests.support import member, settlement


def applicant_only(**data: Any) -> SettlementApproved:
    """The shared settlement, with only its applicant and the sections given."""
    return settlement(members=[member(date(1988, 5, 1), "applicant")], **data)


class TestFactsFromTheEvent:
    def test_the_insurance_and_income_are_read_and_unknown_fields_ignored(self) -> None:
        facts = facts_from(
            applicant_only(
                social_insurance={"employer_paid": False, "pension_months": 7, "extra": 1},
                housing={"monthly_household_income": 1234.5, "current_area_m2": 0},
            )
        )

        assert facts.applicant_insurance.employer_paid is False
        assert facts.applicant_insurance.pension_months == 7
        assert str(facts.monthly_household_income) == "1234.5"
        assert facts.decision_date == date(2019, 6, 1)

    def test_absent_sections_are_unknown_not_zero(self) -> None:
        facts = facts_from(applicant_only())

        assert facts.applicant_insurance.pension_months is None
        assert facts.monthly_household_income is None

    def test_a_settlement_without_exactly_one_applicant_is_refused(self) -> None:
        settlement = applicant_only()
        twice = settlement.model_copy(update={"members": settlement.members * 2})

        with pytest.raises(ValueError, match="2 applicants"):
            facts_from(twice)

    @pytest.mark.parametrize(
        "impossible",
        [
            {"housing": {"monthly_household_income": -1}},
            {"housing": {"monthly_household_income": float("inf")}},
            {"housing": {"monthly_household_income": float("nan")}},
            {"social_insurance": {"pension_months": -1}},
        ],
    )
    def test_a_fact_no_settlement_can_carry_is_refused(self, impossible: dict[str, Any]) -> None:
        # The shared event model refuses it, so `facts_from` and the rules never see it.
        with pytest.raises(ValueError):
            facts_from(applicant_only(**impossible))
