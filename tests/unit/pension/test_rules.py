"""三(七) as code: each adult's pension continuation and the household's minimum living."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from services.pension.rules import (
    ApplicantInsurance,
    Continuation,
    Member,
    SettlementFacts,
    assess_minimum_living,
    decide_continuations,
    decide_settlement,
)
from services.pension.rules.base import Sex
from shared.parameters import LocalParameter, ParameterSet

DECIDED = date(2019, 6, 1)
WUJIANG, ZHENJIANG = "440203", "440204"
MEIZHOU = "441402"  # outside Shaoguan


def member(
    index: int, relation: str, born: date, sex: Sex = "male", region: str = MEIZHOU
) -> Member:
    return Member(
        index=index, relation=relation, birth_date=born, sex=sex, previous_region_code=region
    )


def applicant(born: date = date(1988, 5, 1), sex: Sex = "male") -> Member:
    return member(0, "applicant", born, sex)


def facts(
    *members: Member,
    employer_paid: bool | None = True,
    pension_months: int | None = 14,
    insured_region_code: str | None = WUJIANG,
    income: Decimal | None = Decimal("4200"),
    on: date = DECIDED,
    region: str = WUJIANG,
) -> SettlementFacts:
    return SettlementFacts(
        decision_date=on,
        destination_region_code=region,
        members=members or (applicant(),),
        applicant_insurance=ApplicantInsurance(
            employer_paid=employer_paid,
            pension_months=pension_months,
            insured_region_code=insured_region_code,
        ),
        monthly_household_income=income,
    )


def parameter(name: str, value: Any, region: str | None = WUJIANG, **dates: date) -> LocalParameter:
    return LocalParameter(
        name=name,
        value=value,
        unit="yuan per person per month" if name == "minimum_living_standard" else None,
        region_code=region,
        valid_from=dates.get("valid_from", date(2019, 1, 1)),
        valid_to=dates.get("valid_to"),
        source="test fixture",
        department="civil_affairs",
    )


def standard(value: Any, region: str | None = WUJIANG, **dates: date) -> ParameterSet:
    return ParameterSet((parameter("minimum_living_standard", value, region, **dates),))


NONE = ParameterSet()


def only(settlement: SettlementFacts, parameters: ParameterSet = NONE) -> Continuation:
    (continuation,) = decide_continuations(settlement, parameters)
    return continuation


def of(settlement: SettlementFacts, index: int, parameters: ParameterSet = NONE) -> Continuation:
    found = [c for c in decide_continuations(settlement, parameters) if c.member_index == index]
    assert len(found) == 1
    return found[0]


class TestWhoGetsAContinuation:
    def test_a_child_gets_no_pension_entry(self) -> None:
        settlement = facts(applicant(), member(1, "child", date(2012, 3, 3)))

        continuations = decide_continuations(settlement, NONE)

        assert [c.member_index for c in continuations] == [0]

    def test_a_member_18_on_the_decision_date_gets_one(self) -> None:
        settlement = facts(applicant(), member(1, "child", date(2001, 6, 1)))

        assert of(settlement, 1).age_on_decision_date == 18

    def test_a_member_18_the_day_after_the_decision_gets_none(self) -> None:
        settlement = facts(applicant(), member(1, "child", date(2001, 6, 2)))

        assert [c.member_index for c in decide_continuations(settlement, NONE)] == [0]

    def test_each_adult_gets_one_citing_the_clause_and_the_age_of_majority(self) -> None:
        settlement = facts(
            applicant(),
            member(1, "spouse", date(1990, 2, 2), "female"),
            member(2, "parent", date(1955, 1, 1)),
        )

        continuations = decide_continuations(settlement, NONE)

        assert [c.member_index for c in continuations] == [0, 1, 2]
        assert {c.clause for c in continuations} == {"三(七)"}
        for continuation in continuations:
            names = [p["name"] for p in continuation.parameters]
            assert "age_of_majority" in names


class TestTheSchemeJoined:
    def test_an_applicant_whose_employer_pays_joins_the_employee_scheme(self) -> None:
        continuation = only(facts(employer_paid=True))

        assert continuation.scheme == "employee"
        assert "城镇职工" in continuation.reason

    def test_an_applicant_no_employer_pays_for_joins_the_residents_scheme(self) -> None:
        continuation = only(facts(employer_paid=False))

        assert continuation.scheme == "urban_rural_resident"
        assert "城乡居民" in continuation.reason

    def test_an_applicant_whose_employer_is_not_stated_is_information_needed(self) -> None:
        continuation = only(facts(employer_paid=None))

        assert continuation.scheme == "information_needed"
        assert continuation.status == "information_needed"
        assert continuation.missing == ("social_insurance.employer_paid",)

    def test_other_adults_are_information_needed_without_a_local_presumption(self) -> None:
        settlement = facts(applicant(), member(1, "spouse", date(1990, 2, 2), "female"))

        spouse = of(settlement, 1)

        assert spouse.scheme == "information_needed"
        assert spouse.status == "information_needed"
        assert "default_scheme_for_non_employed_adults" in spouse.reason
        assert any("employer pays" in m for m in spouse.missing)

    def test_other_adults_follow_the_local_presumption_in_force(self) -> None:
        presumption = ParameterSet(
            (parameter("default_scheme_for_non_employed_adults", "urban_rural_resident"),)
        )
        settlement = facts(applicant(), member(1, "spouse", date(1990, 2, 2), "female"))

        spouse = of(settlement, 1, presumption)

        assert spouse.scheme == "urban_rural_resident"
        assert spouse.status == "awaiting_origin"
        assert any(
            p["name"] == "default_scheme_for_non_employed_adults" and p["source"] == "test fixture"
            for p in spouse.parameters
        )

    def test_a_presumption_of_another_county_or_period_is_not_used(self) -> None:
        presumptions = ParameterSet(
            (
                parameter("default_scheme_for_non_employed_adults", "employee", ZHENJIANG),
                parameter(
                    "default_scheme_for_non_employed_adults",
                    "employee",
                    WUJIANG,
                    valid_from=date(2018, 1, 1),
                    valid_to=date(2018, 12, 31),
                ),
            )
        )
        settlement = facts(applicant(), member(1, "spouse", date(1990, 2, 2), "female"))

        assert of(settlement, 1, presumptions).scheme == "information_needed"

    def test_the_applicants_own_facts_win_over_the_presumption(self) -> None:
        presumption = ParameterSet(
            (parameter("default_scheme_for_non_employed_adults", "urban_rural_resident"),)
        )

        assert only(facts(employer_paid=True), presumption).scheme == "employee"


class TestThoseAtPensionAge:
    def test_a_grandparent_past_pension_age_draws_on_local_terms(self) -> None:
        settlement = facts(applicant(), member(1, "parent", date(1950, 3, 1)))

        grandparent = of(settlement, 1)

        assert grandparent.age_on_decision_date == 69
        assert grandparent.status == "drawing"
        assert grandparent.pension_age == "60"
        assert "same terms as local residents" in grandparent.reason
        # whichever scheme it is, he is past its age; which scheme pays is still to be known
        assert grandparent.scheme == "information_needed"

    def test_an_adult_the_day_before_pension_age_contributes(self) -> None:
        continuation = only(facts(applicant(date(1959, 6, 2))))

        assert continuation.age_on_decision_date == 59
        assert continuation.status == "continued"
        assert continuation.pension_age_reached_on == date(2019, 6, 2)

    def test_an_adult_on_the_day_of_pension_age_draws(self) -> None:
        continuation = only(facts(applicant(date(1959, 6, 1))))

        assert continuation.status == "drawing"

    def test_a_woman_of_52_in_the_employee_scheme_needs_her_occupation_category(
        self,
    ) -> None:
        continuation = only(facts(applicant(date(1967, 1, 1), "female"), employer_paid=True))

        assert continuation.status == "information_needed"
        assert continuation.scheme == "employee"
        assert any("worker or staff" in m for m in continuation.missing)

    def test_a_woman_of_52_in_the_residents_scheme_contributes_until_60(self) -> None:
        continuation = only(facts(applicant(date(1967, 1, 1), "female"), employer_paid=False))

        assert continuation.status == "continued"
        assert continuation.pension_age == "60"

    def test_a_woman_of_56_in_the_employee_scheme_draws_as_worker_or_staff(self) -> None:
        continuation = only(facts(applicant(date(1963, 1, 1), "female"), employer_paid=True))

        assert continuation.status == "drawing"
        assert continuation.missing == ()

    def test_a_woman_of_56_whose_scheme_is_unknown_needs_only_her_scheme(self) -> None:
        settlement = facts(applicant(), member(1, "parent", date(1963, 1, 1), "female"))

        mother = of(settlement, 1)

        assert mother.status == "information_needed"
        assert not any("worker or staff" in m for m in mother.missing)
        assert any("employer pays" in m for m in mother.missing)

    def test_a_man_born_january_1965_decided_in_2025_waits_the_extra_month(self) -> None:
        on = date(2025, 1, 20)
        man = applicant(date(1965, 1, 10))

        continuation = only(facts(man, on=on))

        assert continuation.age_on_decision_date == 60
        assert continuation.status == "continued"
        assert continuation.pension_age == "60 years 1 month"
        names = {(p["name"], p["valid_from"]) for p in continuation.parameters}
        assert ("statutory_pension_age.employee", "2025-01-01") in names

    def test_the_pension_age_law_is_recorded_with_the_decision(self) -> None:
        continuation = only(facts(employer_paid=False))

        names = [p["name"] for p in continuation.parameters]
        assert "statutory_pension_age.urban_rural_resident" in names


class TestMonthsAndStatus:
    def test_months_held_in_shaoguan_continue(self) -> None:
        continuation = only(facts(pension_months=14, insured_region_code=WUJIANG))

        assert continuation.status == "continued"
        assert continuation.months_carried_over == 14
        assert continuation.origin_region_code == WUJIANG

    def test_months_held_outside_shaoguan_await_the_origin(self) -> None:
        continuation = only(facts(pension_months=14, insured_region_code=MEIZHOU))

        assert continuation.status == "awaiting_origin"
        assert continuation.months_carried_over == 14
        assert "outside Shaoguan" in continuation.reason

    def test_unknown_months_await_the_origin_even_inside_shaoguan(self) -> None:
        continuation = only(facts(pension_months=None, insured_region_code=WUJIANG))

        assert continuation.status == "awaiting_origin"
        assert continuation.months_carried_over is None
        assert "not stated" in continuation.reason

    def test_without_an_insured_region_the_origin_is_the_previous_registration(self) -> None:
        continuation = only(facts(insured_region_code=None))

        assert continuation.origin_region_code == MEIZHOU
        assert continuation.status == "awaiting_origin"

    def test_other_adults_months_are_unknown_until_the_origin_confirms(self) -> None:
        presumption = ParameterSet(
            (parameter("default_scheme_for_non_employed_adults", "urban_rural_resident"),)
        )
        settlement = facts(applicant(), member(1, "spouse", date(1990, 2, 2), "female", WUJIANG))

        spouse = of(settlement, 1, presumption)

        assert spouse.months_carried_over is None
        assert spouse.status == "awaiting_origin"

    def test_a_reason_names_members_by_relation_and_place_only(self) -> None:
        settlement = facts(applicant(), member(1, "parent", date(1950, 3, 1)))

        reasons = [c.reason for c in decide_continuations(settlement, NONE)]

        assert reasons[0].startswith("The applicant is 31")
        assert reasons[1].startswith("The parent (member 1) is 69")
        assert not any(re.search(r"[0-9]{15}", reason) for reason in reasons)

    def test_a_member_born_after_the_decision_date_is_refused(self) -> None:
        settlement = facts(applicant(), member(1, "child", date(2020, 1, 1)))

        with pytest.raises(ValueError, match="precedes"):
            decide_continuations(settlement, NONE)


class TestMinimumLiving:
    """Standard 600 yuan per person per month; a household of three."""

    def three(self, income: Decimal | None) -> SettlementFacts:
        return facts(
            applicant(),
            member(1, "spouse", date(1990, 2, 2), "female"),
            member(2, "child", date(2012, 3, 3)),
            income=income,
        )

    def test_income_just_below_the_standard_is_eligible(self) -> None:
        assessment = assess_minimum_living(self.three(Decimal("1797")), standard(600))

        assert assessment.outcome == "eligible"
        assert assessment.per_capita_income == Decimal("599.00")
        assert assessment.clause == "三(七)"
        assert "same terms as local residents" in assessment.reason

    def test_income_at_the_standard_is_not_eligible(self) -> None:
        assessment = assess_minimum_living(self.three(Decimal("1800")), standard(600))

        assert assessment.outcome == "not_eligible"
        assert "strictly below" in assessment.reason

    def test_income_just_above_the_standard_is_not_eligible(self) -> None:
        assessment = assess_minimum_living(self.three(Decimal("1803")), standard(600))

        assert assessment.outcome == "not_eligible"
        assert assessment.per_capita_income == Decimal("601.00")

    def test_income_is_compared_unrounded(self) -> None:
        # 1799.99 / 3 = 599.9966..., shown as 600.00 but below 600
        assessment = assess_minimum_living(self.three(Decimal("1799.99")), standard(600))

        assert assessment.outcome == "eligible"
        assert assessment.per_capita_income == Decimal("600.00")

    def test_missing_income_is_information_needed_naming_it(self) -> None:
        assessment = assess_minimum_living(self.three(None), standard(600))

        assert assessment.outcome == "information_needed"
        assert assessment.missing == ("housing.monthly_household_income",)
        assert assessment.standard == Decimal("600")

    def test_no_standard_in_force_is_information_needed_naming_the_parameter(self) -> None:
        assessment = assess_minimum_living(self.three(Decimal("1000")), NONE)

        assert assessment.outcome == "information_needed"
        assert assessment.missing == (f"local parameter minimum_living_standard for {WUJIANG}",)
        assert "none recorded" in assessment.reason

    def test_an_expired_standard_is_not_used(self) -> None:
        expired = standard(600, valid_from=date(2018, 1, 1), valid_to=date(2019, 5, 31))

        assessment = assess_minimum_living(self.three(Decimal("1000")), expired)

        assert assessment.outcome == "information_needed"
        assert "2019-05-31" in assessment.reason

    def test_both_missing_are_both_named(self) -> None:
        assessment = assess_minimum_living(self.three(None), NONE)

        assert len(assessment.missing) == 2

    def test_the_countys_standard_wins_over_the_citywide_one(self) -> None:
        both = ParameterSet(
            (
                parameter("minimum_living_standard", 500, None),
                parameter("minimum_living_standard", 700, WUJIANG),
            )
        )

        assessment = assess_minimum_living(self.three(Decimal("1950")), both)

        assert assessment.standard == Decimal("700")
        assert assessment.outcome == "eligible"
        assert assessment.parameters[0]["region_code"] == WUJIANG

    def test_the_citywide_standard_applies_where_the_county_has_none(self) -> None:
        citywide = standard(500, None)

        assessment = assess_minimum_living(self.three(Decimal("1950")), citywide)

        assert assessment.outcome == "not_eligible"
        assert assessment.parameters[0]["source"] == "test fixture"

    def test_every_member_counts_children_included(self) -> None:
        assessment = assess_minimum_living(self.three(Decimal("1500")), standard(600))

        assert assessment.household_size == 3


def test_one_decision_per_settlement_holds_continuations_and_the_assessment() -> None:
    settlement = facts(
        applicant(),
        member(1, "spouse", date(1990, 2, 2), "female"),
        member(2, "child", date(2012, 3, 3)),
        member(3, "parent", date(1950, 3, 1)),
    )

    decision = decide_settlement(settlement, standard(600))

    assert [c.status for c in decision.continuations] == [
        "continued",
        "information_needed",
        "drawing",
    ]
    assert decision.minimum_living.outcome == "not_eligible"  # 4200 / 4 = 1050


def test_no_single_pension_age_is_shown_where_it_depends_on_facts_not_given() -> None:
    settlement = facts(applicant(), member(1, "spouse", date(1990, 2, 2), "female"))

    spouse = of(settlement, 1)

    assert spouse.pension_age is None
    assert "women workers in the employee scheme: 50" in spouse.reason
    assert "the urban-rural residents' pension: 60" in spouse.reason
