"""三(七) as code: the household's minimum living guarantee, assessed as for local residents."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.civil_affairs.rules import assess_minimum_living
from shared.follow_through import gaps_of
from shared.parameters import ParameterSet
from tests.unit.civil_affairs.support import NONE, WUJIANG, household, parameter, standard

INCOME = "housing.monthly_household_income"
STANDARD = "parameters.minimum_living_standard"


class TestMinimumLiving:
    """Standard 600 yuan per person per month; a household of three."""

    @pytest.mark.parametrize(
        ("income", "outcome", "per_capita", "words"),
        [
            ("1797", "eligible", "599.00", "same terms as local residents"),
            ("1800", "not_eligible", "600.00", "strictly below"),
            ("1803", "not_eligible", "601.00", "not below"),
            # 1799.99 / 3 = 599.9966..., shown as 600.00 but below 600: compared unrounded
            ("1799.99", "eligible", "600.00", "below"),
        ],
        ids=["just below", "at", "just above", "compared unrounded"],
    )
    def test_only_income_strictly_below_the_standard_is_eligible(
        self, income: str, outcome: str, per_capita: str, words: str
    ) -> None:
        assessment = assess_minimum_living(household(Decimal(income)), standard(600))

        assert assessment.outcome == outcome
        assert assessment.per_capita_income == Decimal(per_capita)
        assert assessment.standard == Decimal("600")
        assert assessment.clause == assessment.check.clause == "三(七)"
        assert assessment.check.outcome == ("passed" if outcome == "eligible" else "failed")
        assert words in assessment.check.reason
        assert assessment.missing == ()

    def test_no_income_at_all_is_below_any_standard(self) -> None:
        assessment = assess_minimum_living(household(Decimal("0")), standard(600))

        assert assessment.outcome == "eligible"
        assert assessment.per_capita_income == Decimal("0.00")

    def test_missing_income_is_information_needed_naming_it(self) -> None:
        assessment = assess_minimum_living(household(None), standard(600))

        assert assessment.outcome == "information_needed"
        assert assessment.missing == (INCOME,)
        assert assessment.standard == Decimal("600")
        assert assessment.per_capita_income is None
        assert INCOME in assessment.check.reason

    def test_no_standard_in_force_is_information_needed_naming_the_parameter(self) -> None:
        assessment = assess_minimum_living(household(Decimal("1000")), NONE)

        assert assessment.outcome == "information_needed"
        assert assessment.missing == (STANDARD,)
        assert assessment.parameters_used == ()
        assert "none recorded" in assessment.check.reason

    def test_an_expired_standard_is_not_used(self) -> None:
        expired = standard(600, valid_from=date(2018, 1, 1), valid_to=date(2019, 5, 31))

        assessment = assess_minimum_living(household(Decimal("1000")), expired)

        assert assessment.outcome == "information_needed"
        assert assessment.missing == (STANDARD,)
        assert "2019-05-31" in assessment.check.reason

    def test_both_missing_are_both_named(self) -> None:
        assessment = assess_minimum_living(household(None), NONE)

        assert assessment.missing == (STANDARD, INCOME)

    def test_each_missing_piece_is_a_gap_of_its_own_kind(self) -> None:
        assessment = assess_minimum_living(household(None), NONE)

        gaps = gaps_of([assessment.check])

        assert sorted((gap.field, gap.kind, gap.member_index) for gap in gaps) == [
            (INCOME, "information", None),
            (STANDARD, "parameter", None),
        ]

    def test_a_decided_assessment_leaves_no_gap(self) -> None:
        assessment = assess_minimum_living(household(Decimal("1800")), standard(600))

        assert gaps_of([assessment.check]) == []

    def test_the_countys_standard_wins_over_the_citywide_one(self) -> None:
        both = ParameterSet((parameter(500, None), parameter(700, WUJIANG)))

        assessment = assess_minimum_living(household(Decimal("1950")), both)

        assert assessment.standard == Decimal("700")
        assert assessment.outcome == "eligible"
        (used,) = assessment.parameters_used
        assert used.region_code == WUJIANG

    def test_the_citywide_standard_applies_where_the_county_has_none(self) -> None:
        assessment = assess_minimum_living(household(Decimal("1950")), standard(500, None))

        assert assessment.outcome == "not_eligible"
        assert assessment.parameters_used[0].source == "test fixture"
        assert "source: test fixture" in assessment.check.reason

    def test_every_member_counts_children_included(self) -> None:
        # 1500 among three is 500 a person, below 600; among two it would be 750, above.
        assert assess_minimum_living(household(Decimal("1500")), standard(600)).outcome == (
            "eligible"
        )
        assert assess_minimum_living(household(Decimal("1500"), size=2), standard(600)).outcome == (
            "not_eligible"
        )

    def test_a_household_without_members_is_a_fault_not_a_decision(self) -> None:
        with pytest.raises(ValueError, match="no members"):
            assess_minimum_living(household(Decimal("0"), size=0), standard(600))
