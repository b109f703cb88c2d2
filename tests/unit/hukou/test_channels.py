"""Unit tests of the settlement channels of clause 二, one class per clause (no I/O)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.hukou.domain import (
    Talent,
    TalentCategory,
)
from services.hukou.rules import (
    check_collective_household,
    check_insured_one_year,
    check_stable_residence,
    check_talent,
    decide_eligibility,
)
from shared.rules import Check
from shared.settlement import Tenure
from tests.unit.hukou.support import (
    DESTINATION,
    OTHER_COUNTY,
    facts,
    only,
    with_insurance,
    with_residence,
)


class TestStableResidence:
    """二.1: a legal, stable residence (owned or rented) and social and medical insurance."""

    def residence_check(self, **changes: Any) -> Check:
        residence = with_residence(**changes)
        return only(
            check_stable_residence(facts(residence=residence)), "stable_residence.residence"
        )

    def insurance_check(self, **changes: Any) -> Check:
        insurance = with_insurance(**changes)
        checks = check_stable_residence(facts(social_insurance=insurance))
        return only(checks, "stable_residence.insurance")

    def test_a_rented_home_counts_as_a_stable_residence(self) -> None:
        check = self.residence_check(tenure="rented")
        assert check.outcome == "passed"
        assert check.clause == "二.1"
        assert "含租赁" in check.reason

    def test_an_owned_home_counts_as_a_stable_residence(self) -> None:
        assert self.residence_check(tenure="owned").outcome == "passed"

    @pytest.mark.parametrize("tenure", ["employer_collective", "community_collective"])
    def test_a_collective_household_is_not_a_stable_residence_and_points_to_2_6(
        self, tenure: Tenure
    ) -> None:
        check = self.residence_check(tenure=tenure)
        assert check.outcome == "failed"
        assert "二.6" in check.reason
        assert "collective_household" in check.reason

    def test_a_residence_in_another_county_fails(self) -> None:
        check = self.residence_check(region_code=OTHER_COUNTY)
        assert check.outcome == "failed"
        assert OTHER_COUNTY in check.reason and DESTINATION in check.reason

    def test_without_the_dwelling_county_the_destination_is_taken_as_the_residence(self) -> None:
        check = self.residence_check(region_code=None)
        assert check.outcome == "passed"
        assert "taken as the place of residence" in check.reason

    def test_a_residence_starting_after_the_decision_date_fails(self) -> None:
        assert self.residence_check(since=date(2019, 6, 2)).outcome == "failed"

    def test_a_missing_residence_is_undetermined_and_named(self) -> None:
        check = only(check_stable_residence(facts(residence=None)), "stable_residence.residence")
        assert check.outcome == "undetermined"
        assert check.missing == ("residence",)

    def test_any_months_of_both_insurances_are_enough(self) -> None:
        check = self.insurance_check(pension_months=1, medical_months=1)
        assert check.outcome == "passed"
        assert "no minimum duration" in check.reason

    @pytest.mark.parametrize("field", ["pension_months", "medical_months"])
    def test_zero_months_of_an_insurance_fails(self, field: str) -> None:
        check = self.insurance_check(**{field: 0})
        assert check.outcome == "failed"
        assert "0 months" in check.reason

    @pytest.mark.parametrize("field", ["pension_months", "medical_months"])
    def test_unstated_months_of_an_insurance_are_undetermined_and_named(self, field: str) -> None:
        check = self.insurance_check(**{field: None})
        assert check.outcome == "undetermined"
        assert check.missing == (f"social_insurance.{field}",)

    def test_no_insurance_section_names_both_insurances(self) -> None:
        check = only(
            check_stable_residence(facts(social_insurance=None)), "stable_residence.insurance"
        )
        assert check.outcome == "undetermined"
        assert check.missing == (
            "social_insurance.pension_months",
            "social_insurance.medical_months",
        )


class TestInsuredOneYear:
    """二.2: urban social insurance for one year or more, at the place insured or of residence."""

    def months_check(self, pension: int | None, medical: int | None = 0) -> Check:
        insurance = with_insurance(pension_months=pension, medical_months=medical)
        checks = check_insured_one_year(facts("insured_one_year", social_insurance=insurance))
        return only(checks, "insured_one_year.insured_months")

    def scheme_check(self, employer_paid: bool | None, scheme: str | None = None) -> Check:
        insurance = with_insurance(employer_paid=employer_paid, scheme=scheme)
        checks = check_insured_one_year(facts("insured_one_year", social_insurance=insurance))
        return only(checks, "insured_one_year.urban_scheme")

    def place_check(self, *, insured: str | None, lives: str | None) -> Check:
        changed = facts(
            "insured_one_year",
            social_insurance=with_insurance(insured_region_code=insured),
            residence=with_residence(region_code=lives),
        )
        return only(check_insured_one_year(changed), "insured_one_year.settlement_place")

    def test_twelve_months_insured_is_enough(self) -> None:
        check = self.months_check(12)
        assert check.outcome == "passed"
        assert "minimum_insured_months = 12, source: policy 二.2" in check.reason

    def test_eleven_months_of_each_insurance_are_not_enough(self) -> None:
        check = self.months_check(11, 11)
        assert check.outcome == "failed"
        assert "11 months" in check.reason and "12" in check.reason

    @pytest.mark.parametrize(("pension", "medical"), [(0, 24), (11, 12), (None, 12)])
    def test_medical_insurance_is_social_insurance_and_counts(
        self, pension: int | None, medical: int
    ) -> None:
        # 参加城镇社会保险1年以上(含1年): 社会保险 is pension and medical insurance alike.
        assert self.months_check(pension, medical).outcome == "passed"

    def test_24_months_of_urban_employee_medical_insurance_alone_are_eligible(self) -> None:
        insurance = with_insurance(pension_months=0, medical_months=24, employer_paid=True)
        decision = decide_eligibility(facts("insured_one_year", social_insurance=insurance))
        assert decision.outcome == "eligible"

    def test_unstated_months_short_of_a_year_are_undetermined_and_named(self) -> None:
        check = self.months_check(None, 11)
        assert check.outcome == "undetermined"
        assert check.missing == ("social_insurance.pension_months",)

    def test_no_months_stated_name_both_insurances(self) -> None:
        check = self.months_check(None, None)
        assert check.missing == (
            "social_insurance.pension_months",
            "social_insurance.medical_months",
        )

    def test_insurance_an_employer_pays_is_urban_social_insurance(self) -> None:
        check = self.scheme_check(True)
        assert check.outcome == "passed"
        assert "城镇职工" in check.reason

    def test_the_residents_scheme_is_not_urban_and_points_to_2_1(self) -> None:
        check = self.scheme_check(False, "urban_rural_resident")
        assert check.outcome == "failed"
        assert "城乡居民" in check.reason and "二.1" in check.reason

    def test_a_flexible_worker_paying_the_employees_scheme_alone_is_urban(self) -> None:
        check = self.scheme_check(False, "urban_employee")
        assert check.outcome == "passed"
        assert "城镇职工" in check.reason

    @pytest.mark.parametrize("employer_paid", [False, None])
    def test_no_employer_paying_and_no_scheme_stated_is_undetermined_and_named(
        self, employer_paid: bool | None
    ) -> None:
        # Without an employer, the insured may be a flexible worker in the employees' scheme or
        # in the residents' scheme: which one decides, so it is asked, not guessed.
        check = self.scheme_check(employer_paid)
        assert check.outcome == "undetermined"
        assert check.missing == ("social_insurance.scheme",)
        assert "灵活就业人员" in check.reason

    def test_settling_at_the_place_insured_passes(self) -> None:
        check = self.place_check(insured=DESTINATION, lives=OTHER_COUNTY)
        assert check.outcome == "passed"
        assert "insured" in check.reason

    def test_settling_at_the_place_of_residence_passes(self) -> None:
        check = self.place_check(insured=OTHER_COUNTY, lives=DESTINATION)
        assert check.outcome == "passed"
        assert "lives" in check.reason

    def test_settling_neither_where_insured_nor_where_living_fails(self) -> None:
        check = self.place_check(insured=OTHER_COUNTY, lives="440205")
        assert check.outcome == "failed"
        assert check.missing == ()

    def test_an_unknown_residence_county_is_undetermined_and_named(self) -> None:
        check = self.place_check(insured=OTHER_COUNTY, lives=None)
        assert check.outcome == "undetermined"
        assert check.missing == ("residence.region_code",)

    def test_no_residence_at_all_names_the_residence_county(self) -> None:
        changed = facts(
            "insured_one_year",
            social_insurance=with_insurance(insured_region_code=OTHER_COUNTY),
            residence=None,
        )
        check = only(check_insured_one_year(changed), "insured_one_year.settlement_place")
        assert check.missing == ("residence.region_code",)

    def test_unknown_insured_place_and_residence_name_both(self) -> None:
        check = self.place_check(insured=None, lives=None)
        assert check.outcome == "undetermined"
        assert check.missing == ("social_insurance.insured_region_code", "residence.region_code")

    def test_without_the_months_parameter_in_force_the_rule_is_undetermined(self) -> None:
        later = facts("insured_one_year", decision_date=date(2021, 6, 1))
        check = only(check_insured_one_year(later), "insured_one_year.insured_months")
        assert check.outcome == "undetermined"
        assert "minimum_insured_months" in check.reason and "2020-10-22" in check.reason


class TestTalent:
    """二.4: the four talent categories, shown by evidence, settle without further conditions."""

    EVIDENCE = "职业资格证书 S000044012345678"

    @pytest.mark.parametrize(
        "category",
        ["college_graduate", "skilled_worker", "vocational_graduate", "returned_overseas"],
    )
    def test_every_talent_category_with_evidence_settles_without_further_conditions(
        self, category: TalentCategory
    ) -> None:
        talent = Talent(category=category, evidence=self.EVIDENCE)
        (check,) = check_talent(facts("talent", talent=talent))
        assert (check.rule, check.clause, check.outcome) == ("talent.category", "二.4", "passed")
        assert "no further conditions" in check.reason
        assert self.EVIDENCE not in check.reason  # a certificate's number stays in the record

    @pytest.mark.parametrize(
        "category",
        ["college_graduate", "skilled_worker", "vocational_graduate", "returned_overseas"],
    )
    def test_a_category_without_evidence_is_undetermined_and_names_it(
        self, category: TalentCategory
    ) -> None:
        decision = decide_eligibility(facts("talent", talent=Talent(category=category)))
        assert decision.outcome == "undetermined"
        assert decision.missing == ("talent.evidence",)

    def test_a_missing_talent_section_is_undetermined_and_named(self) -> None:
        (check,) = check_talent(facts("talent", talent=None))
        assert check.outcome == "undetermined"
        assert check.missing == ("talent",)

    def test_the_talent_channel_needs_neither_residence_nor_insurance(self) -> None:
        decision = decide_eligibility(facts("talent", residence=None, social_insurance=None))
        assert decision.outcome == "eligible"
        assert {c.clause for c in decision.checks} == {"五", "二.4", "二.3", "三(四)"}


class TestCollectiveHousehold:
    """二.6: a person without a dwelling of their own registers in a collective household."""

    def check(self, **changes: Any) -> Check:
        residence = with_residence(**changes)
        (check,) = check_collective_household(facts("collective_household", residence=residence))
        return check

    @pytest.mark.parametrize("tenure", ["employer_collective", "community_collective"])
    def test_an_employer_or_community_collective_household_passes(self, tenure: Tenure) -> None:
        check = self.check(tenure=tenure)
        assert (check.rule, check.clause, check.outcome) == (
            "collective_household.registration",
            "二.6",
            "passed",
        )

    def test_an_owned_home_fails_and_points_to_2_1(self) -> None:
        check = self.check(tenure="owned")
        assert check.outcome == "failed"
        assert "二.1" in check.reason

    def test_a_rented_home_fails_and_explains_it_counts_under_2_1(self) -> None:
        check = self.check(tenure="rented")
        assert check.outcome == "failed"
        assert "employer" in check.reason and "community" in check.reason
        assert "二.1" in check.reason

    def test_a_collective_household_in_another_county_fails(self) -> None:
        assert (
            self.check(tenure="employer_collective", region_code=OTHER_COUNTY).outcome == "failed"
        )

    def test_a_missing_residence_is_undetermined_and_named(self) -> None:
        (check,) = check_collective_household(facts("collective_household", residence=None))
        assert check.outcome == "undetermined"
        assert check.missing == ("residence",)
