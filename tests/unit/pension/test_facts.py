"""What pension reads of an approved settlement, of the facts supplied since and of the origins'
confirmations: the facts its rules take, nothing guessed."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.pension.operations import facts_from
from services.pension.rules.base import EMPLOYER_PAID, OCCUPATION_CATEGORY, OriginConfirmation
from shared.settlement import SettlementApproved
from tests.settlements import member, settlement


def applicant_only(**data: Any) -> SettlementApproved:
    """The shared settlement, with only its applicant and the sections given."""
    return settlement(members=[member(date(1988, 5, 1), "applicant")], **data)


class TestFactsFromTheEvent:
    def test_the_applicants_insurance_is_read_and_unknown_fields_ignored(self) -> None:
        facts = facts_from(
            applicant_only(
                social_insurance={"employer_paid": False, "pension_months": 7, "extra": 1},
            )
        )

        assert facts.applicant_insurance.employer_paid is False
        assert facts.applicant_insurance.pension_months == 7
        assert facts.members[0].employer_paid is False
        assert facts.decision_date == date(2019, 6, 1)

    def test_absent_sections_are_unknown_not_zero(self) -> None:
        facts = facts_from(applicant_only())

        assert facts.applicant_insurance.pension_months is None
        assert facts.members[0].employer_paid is None

    def test_facts_supplied_for_other_members_are_theirs_alone(self) -> None:
        supplied = {(1, EMPLOYER_PAID): False, (1, OCCUPATION_CATEGORY): "staff"}

        facts = facts_from(settlement(), supplied=lambda index, name: supplied.get((index, name)))

        applicant, spouse, child = facts.members
        assert (spouse.employer_paid, spouse.occupation_category) == (False, "staff")
        assert applicant.employer_paid is None  # the shared settlement states no insurance
        assert (child.employer_paid, child.occupation_category) == (None, None)

    def test_an_origins_confirmation_is_the_members_it_was_given_for(self) -> None:
        confirmation = OriginConfirmation(28, "441402")

        facts = facts_from(settlement(), confirmed={1: confirmation})

        assert [m.confirmed for m in facts.members] == [None, confirmation, None]

    def test_a_settlement_without_exactly_one_applicant_is_refused(self) -> None:
        settlement = applicant_only()
        twice = settlement.model_copy(update={"members": settlement.members * 2})

        with pytest.raises(ValueError, match="2 applicants"):
            facts_from(twice)

    @pytest.mark.parametrize(
        "impossible",
        [
            {"social_insurance": {"pension_months": -1}},
            {"social_insurance": {"pension_months": "14"}},
            {"social_insurance": {"employer_paid": "yes"}},
        ],
    )
    def test_a_fact_no_settlement_can_carry_is_refused(self, impossible: dict[str, Any]) -> None:
        # The shared event model refuses it, so `facts_from` and the rules never see it.
        with pytest.raises(ValueError):
            facts_from(applicant_only(**impossible))
