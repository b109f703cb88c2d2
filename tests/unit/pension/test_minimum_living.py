"""三(七) as code: the household's minimum living guarantee, assessed as for local residents."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.pension.rules import SettlementFacts, assess_minimum_living, decide_settlement
from shared.parameters import ParameterSet
from tests.unit.pension.support import (
    NONE,
    WUJIANG,
    applicant,
    facts,
    grandfather,
    member,
    parameter,
    standard,
    wife,
)


def three(income: Decimal | None) -> SettlementFacts:
    """A household of three: the applicant, his wife and their child."""
    return facts(applicant(), wife(), member(2, "child", date(2012, 3, 3)), income=income)


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
        assessment = assess_minimum_living(three(Decimal(income)), standard(600))

        assert assessment.outcome == outcome
        assert assessment.per_capita_income == Decimal(per_capita)
        assert assessment.clause == "三(七)"
        assert words in assessment.reason

    def test_missing_income_is_information_needed_naming_it(self) -> None:
        assessment = assess_minimum_living(three(None), standard(600))

        assert assessment.outcome == "information_needed"
        assert assessment.missing == ("housing.monthly_household_income",)
        assert assessment.standard == Decimal("600")

    def test_no_standard_in_force_is_information_needed_naming_the_parameter(self) -> None:
        assessment = assess_minimum_living(three(Decimal("1000")), NONE)

        assert assessment.outcome == "information_needed"
        assert assessment.missing == (f"local parameter minimum_living_standard for {WUJIANG}",)
        assert "none recorded" in assessment.reason

    def test_an_expired_standard_is_not_used(self) -> None:
        expired = standard(600, valid_from=date(2018, 1, 1), valid_to=date(2019, 5, 31))

        assessment = assess_minimum_living(three(Decimal("1000")), expired)

        assert assessment.outcome == "information_needed"
        assert "2019-05-31" in assessment.reason

    def test_both_missing_are_both_named(self) -> None:
        assessment = assess_minimum_living(three(None), NONE)

        assert len(assessment.missing) == 2

    def test_the_countys_standard_wins_over_the_citywide_one(self) -> None:
        both = ParameterSet(
            (
                parameter("minimum_living_standard", 500, None),
                parameter("minimum_living_standard", 700, WUJIANG),
            )
        )

        assessment = assess_minimum_living(three(Decimal("1950")), both)

        assert assessment.standard == Decimal("700")
        assert assessment.outcome == "eligible"
        assert assessment.parameters[0]["region_code"] == WUJIANG

    def test_the_citywide_standard_applies_where_the_county_has_none(self) -> None:
        assessment = assess_minimum_living(three(Decimal("1950")), standard(500, None))

        assert assessment.outcome == "not_eligible"
        assert assessment.parameters[0]["source"] == "test fixture"

    def test_every_member_counts_children_included(self) -> None:
        assessment = assess_minimum_living(three(Decimal("1500")), standard(600))

        assert assessment.household_size == 3


def test_one_decision_per_settlement_holds_continuations_and_the_assessment() -> None:
    settlement = facts(
        applicant(), wife(), member(2, "child", date(2012, 3, 3)), grandfather(index=3)
    )

    decision = decide_settlement(settlement, standard(600))

    assert [c.status for c in decision.continuations] == [
        "continued",
        "information_needed",
        "drawing",
    ]
    assert decision.minimum_living.outcome == "not_eligible"  # 4200 / 4 = 1050
