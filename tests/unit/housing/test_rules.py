"""Housing security (三(五)) as pure rules: the limits at their edges, the form, what is missing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from services.housing.rules import (
    AREA_LIMIT,
    CLAUSE,
    INCOME_LIMIT,
    PARAMETER_UNITS,
    SUBSIDY_AMOUNT,
    HousingAssessment,
    HousingFacts,
    assess_housing,
    read_facts,
)
from shared.parameters import Parameter, ParameterSet
from shared.settlement import HousingFacts as SettledHousing
from shared.settlement import Residence

WUJIANG, ZHENJIANG = "440203", "440204"


def param(
    name: str,
    value: float | int,
    *,
    region: str | None = None,
    valid_from: date = date(2018, 1, 1),
    valid_to: date | None = None,
    source: str = "test fixture",
) -> Parameter:
    return Parameter(
        name=name,
        value=value,
        unit=PARAMETER_UNITS[name],
        region_code=region,
        valid_from=valid_from,
        valid_to=valid_to,
        source=source,
        department="housing",
    )


CITYWIDE = ParameterSet(
    (param(INCOME_LIMIT, 1500), param(AREA_LIMIT, 15), param(SUBSIDY_AMOUNT, 700))
)


def facts(**overrides: Any) -> HousingFacts:
    values: dict[str, Any] = {
        "region_code": WUJIANG,
        "decision_date": date(2019, 6, 1),
        "household_size": 3,
        "monthly_household_income": Decimal("4200"),
        "current_area_m2": Decimal("0"),
        "tenure": "rented",
    }
    values.update(overrides)
    return HousingFacts(**values)


def assess(parameters: ParameterSet = CITYWIDE, **overrides: Any) -> HousingAssessment:
    return assess_housing(facts(**overrides), parameters)


def reason_of(assessment: HousingAssessment, rule: str) -> str:
    return next(c.reason for c in assessment.checks if c.rule == rule)


class TestIncome:
    def test_income_just_below_the_limit_is_eligible(self) -> None:
        assessment = assess(monthly_household_income=Decimal("4499.97"))

        assert assessment.outcome == "rental_subsidy"
        assert "1499.99 yuan per person per month" in reason_of(assessment, "income_within_limit")

    def test_income_at_the_limit_is_eligible(self) -> None:
        assessment = assess(monthly_household_income=Decimal("4500"))

        assert assessment.outcome == "rental_subsidy"
        assert (
            "1500.00 yuan per person per month (4500.00 yuan for 3 persons) is at or below "
            "the limit of 1500"
        ) in reason_of(assessment, "income_within_limit")

    def test_income_just_above_the_limit_is_not_eligible(self) -> None:
        assessment = assess(monthly_household_income=Decimal("4500.03"))

        assert assessment.outcome == "not_eligible"
        assert assessment.forms == ()
        assert assessment.information_needed == ()
        reason = reason_of(assessment, "income_within_limit")
        assert "1500.01 yuan per person per month" in reason
        assert "is above the limit of 1500" in reason

    def test_the_reason_states_the_comparison_and_the_parameter_with_its_source(self) -> None:
        assessment = assess()

        assert reason_of(assessment, "income_within_limit") == (
            "1400.00 yuan per person per month (4200.00 yuan for 3 persons) is at or below the "
            "limit of 1500 (local parameter income_limit_per_capita citywide, set by housing, "
            "from 2018-01-01; source: test fixture)"
        )

    def test_per_capita_income_is_compared_to_the_fen_rounded_half_up(self) -> None:
        # 4500.01 / 3 = 1500.0033..., which is 1500.00 to the fen: the local choice compares that.
        assert assess(monthly_household_income=Decimal("4500.01")).outcome == "rental_subsidy"
        # 4500.02 / 3 = 1500.0066..., which is 1500.01.
        assert assess(monthly_household_income=Decimal("4500.02")).outcome == "not_eligible"

    def test_a_single_person_household_is_its_own_per_capita(self) -> None:
        assessment = assess(household_size=1, monthly_household_income=Decimal("1500"))

        assert assessment.outcome == "rental_subsidy"
        assert "(1500.00 yuan for 1 person)" in reason_of(assessment, "income_within_limit")

    def test_every_check_cites_clause_three_five(self) -> None:
        assessment = assess()

        assert assessment.clause == CLAUSE == "三(五)"
        assert {c.clause for c in assessment.checks} == {CLAUSE}


class TestArea:
    def test_area_at_the_limit_is_not_eligible(self) -> None:
        assessment = assess(current_area_m2=Decimal("45"))

        assert assessment.outcome == "not_eligible"
        assert "15.00 m2 per person (45.00 m2 for 3 persons) is at or above the limit of 15" in (
            reason_of(assessment, "area_below_limit")
        )

    def test_area_just_below_the_limit_is_eligible(self) -> None:
        assessment = assess(current_area_m2=Decimal("44.97"))

        assert assessment.outcome == "rental_subsidy"
        assert "14.99 m2 per person" in reason_of(assessment, "area_below_limit")
        assert "is below the limit of 15" in reason_of(assessment, "area_below_limit")

    def test_no_dwelling_of_its_own_is_below_any_limit(self) -> None:
        assert assess(current_area_m2=Decimal("0")).outcome == "rental_subsidy"

    def test_a_failed_limit_decides_even_when_the_other_cannot_be_checked(self) -> None:
        assessment = assess(current_area_m2=Decimal("60"), monthly_household_income=None)

        assert assessment.outcome == "not_eligible"
        assert assessment.information_needed == ()


class TestForm:
    def test_a_household_renting_on_the_market_has_the_rental_subsidy_and_may_ask_in_kind(
        self,
    ) -> None:
        assessment = assess(tenure="rented")

        assert assessment.outcome == "rental_subsidy"
        assert assessment.forms == ("rental_subsidy", "public_rental_housing")
        assert "local choice" in reason_of(assessment, "form_by_tenure")

    @pytest.mark.parametrize("tenure", ["owned", "employer_collective", "community_collective"])
    def test_a_household_not_renting_on_the_market_goes_on_the_waiting_list(
        self, tenure: str
    ) -> None:
        assessment = assess(tenure=tenure)

        assert assessment.outcome == "public_rental_housing"
        assert assessment.forms == ("public_rental_housing",)
        assert assessment.monthly_rental_subsidy is None
        assert assessment.information_needed == ()
        assert "waiting list of 440203" in reason_of(assessment, "form_by_tenure")

    @pytest.mark.parametrize("tenure", [None, "lodging"])
    def test_an_unknown_tenure_leaves_housing_in_kind_open_and_names_the_tenure(
        self, tenure: str | None
    ) -> None:
        assessment = assess(tenure=tenure)

        assert assessment.outcome == "public_rental_housing"
        assert assessment.forms == ("public_rental_housing",)
        assert assessment.information_needed == ("residence.tenure",)

    def test_an_ineligible_household_has_no_form(self) -> None:
        assessment = assess(monthly_household_income=Decimal("9000"))

        assert assessment.forms == ()
        assert [c.rule for c in assessment.checks] == ["income_within_limit", "area_below_limit"]


class TestRentalSubsidy:
    def test_the_subsidy_is_the_per_capita_amount_times_the_members(self) -> None:
        assessment = assess(household_size=3)

        assert assessment.monthly_rental_subsidy == Decimal("2100.00")
        assert "700 yuan per person per month for 3 persons: 2100.00 yuan per month" in (
            reason_of(assessment, "rental_subsidy_amount")
        )

    def test_without_an_amount_in_force_the_household_stays_eligible_and_the_amount_is_named(
        self,
    ) -> None:
        parameters = ParameterSet((param(INCOME_LIMIT, 1500), param(AREA_LIMIT, 15)))

        assessment = assess(parameters)

        assert assessment.outcome == "rental_subsidy"
        assert assessment.monthly_rental_subsidy is None
        assert assessment.information_needed == ("parameters.rental_subsidy_amount_per_capita",)

    def test_a_household_on_the_waiting_list_has_no_subsidy_amount(self) -> None:
        assessment = assess(tenure="owned")

        assert "rental_subsidy_amount" not in [c.rule for c in assessment.checks]
        assert SUBSIDY_AMOUNT not in [p.name for p in assessment.parameters_used]


class TestInformationNeeded:
    def test_a_missing_income_is_information_needed_naming_it(self) -> None:
        assessment = assess(monthly_household_income=None)

        assert assessment.outcome == "information_needed"
        assert assessment.forms == ()
        assert assessment.information_needed == ("housing.monthly_household_income",)
        assert "was not given" in reason_of(assessment, "income_within_limit")

    def test_a_missing_area_is_information_needed_naming_it(self) -> None:
        assessment = assess(current_area_m2=None)

        assert assessment.outcome == "information_needed"
        assert assessment.information_needed == ("housing.current_area_m2",)

    def test_every_missing_fact_is_named(self) -> None:
        assessment = assess(monthly_household_income=None, current_area_m2=None)

        assert assessment.information_needed == (
            "housing.monthly_household_income",
            "housing.current_area_m2",
        )

    def test_a_household_without_members_has_nothing_per_person(self) -> None:
        assessment = assess(household_size=0)

        assert assessment.outcome == "information_needed"
        assert assessment.information_needed == ("members",)

    def test_a_limit_not_yet_in_force_on_the_decision_date_is_named(self) -> None:
        parameters = ParameterSet(
            (param(INCOME_LIMIT, 1500, valid_from=date(2020, 1, 1)), param(AREA_LIMIT, 15))
        )

        assessment = assess(parameters)

        assert assessment.outcome == "information_needed"
        assert assessment.information_needed == ("parameters.income_limit_per_capita",)
        reason = reason_of(assessment, "income_within_limit")
        assert "No income_limit_per_capita (yuan/person/month) is in force for 440203 or " in reason
        assert "citywide on 2019-06-01" in reason
        assert "1500 citywide from 2020-01-01 (test fixture)" in reason

    def test_a_limit_that_expired_before_the_decision_date_is_not_used(self) -> None:
        parameters = ParameterSet(
            (param(INCOME_LIMIT, 1500, valid_to=date(2018, 12, 31)), param(AREA_LIMIT, 15))
        )

        assessment = assess(parameters)

        assert assessment.information_needed == ("parameters.income_limit_per_capita",)

    def test_no_parameters_at_all_names_both_limits_and_nothing_is_guessed(self) -> None:
        assessment = assess(ParameterSet())

        assert assessment.outcome == "information_needed"
        assert assessment.information_needed == (
            "parameters.income_limit_per_capita",
            "parameters.area_limit_per_capita",
        )
        assert assessment.parameters_used == ()


class TestParameters:
    def test_a_countys_own_value_is_used_before_the_citywide_one(self) -> None:
        parameters = ParameterSet((*CITYWIDE.parameters, param(INCOME_LIMIT, 1300, region=WUJIANG)))

        assessment = assess(parameters)

        assert assessment.outcome == "not_eligible"
        assert "for 440203" in reason_of(assessment, "income_within_limit")

    def test_another_countys_value_is_not_used(self) -> None:
        parameters = ParameterSet(
            (*CITYWIDE.parameters, param(INCOME_LIMIT, 1300, region=ZHENJIANG))
        )

        assert assess(parameters).outcome == "rental_subsidy"

    def test_the_version_in_force_on_the_decision_date_is_used(self) -> None:
        parameters = ParameterSet(
            (
                param(INCOME_LIMIT, 1300, valid_to=date(2018, 12, 31), source="decision 2018"),
                param(INCOME_LIMIT, 1500, valid_from=date(2019, 1, 1), source="decision 2019"),
                param(AREA_LIMIT, 15),
            )
        )

        assert assess(parameters, decision_date=date(2018, 6, 1)).outcome == "not_eligible"
        assert assess(parameters, decision_date=date(2019, 6, 1)).outcome == "rental_subsidy"

    def test_the_parameters_used_are_recorded_with_their_versions(self) -> None:
        assessment = assess()

        assert [(p.name, p.value, p.valid_from) for p in assessment.parameters_used] == [
            (INCOME_LIMIT, 1500, date(2018, 1, 1)),
            (AREA_LIMIT, 15, date(2018, 1, 1)),
            (SUBSIDY_AMOUNT, 700, date(2018, 1, 1)),
        ]

    def test_the_same_facts_and_parameters_decide_the_same(self) -> None:
        assert assess() == assess()


class TestReadFacts:
    # An amount that is negative or not finite never gets here: the event refuses it, and the
    # settlement is dead-lettered (tests/api/test_housing_events.py, the poisoned events).

    @pytest.mark.parametrize(("value", "amount"), [(0, "0"), (4200, "4200"), (4199.5, "4199.5")])
    def test_numbers_are_read_exactly(self, value: float, amount: str) -> None:
        read = read_facts(
            region_code=WUJIANG,
            decision_date=date(2019, 6, 1),
            household_size=3,
            housing=SettledHousing(monthly_household_income=value, current_area_m2=value),
            residence=Residence(
                address="武江区沿江路 1 号", tenure="rented", since=date(2018, 1, 1)
            ),
        )

        assert read.monthly_household_income == read.current_area_m2 == Decimal(amount)
        assert read.tenure == "rented"

    def test_a_settlement_without_housing_facts_gives_none(self) -> None:
        read = read_facts(
            region_code=WUJIANG,
            decision_date=date(2019, 6, 1),
            household_size=2,
            housing=None,
            residence=None,
        )

        assert read.monthly_household_income is None
        assert read.current_area_m2 is None
        assert read.tenure is None
