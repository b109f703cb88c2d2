"""Unit tests of the settlement-eligibility rules, clause by clause (no I/O)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from services.hukou.domain import (
    ApplicationFacts,
    Check,
    Decision,
    Person,
    Residence,
    RuralRights,
    SocialInsurance,
    Student,
    Talent,
    TalentCategory,
    Tenure,
)
from services.hukou.rules import (
    AGE_OF_MAJORITY,
    MINIMUM_INSURED_MONTHS,
    PARAMETERS,
    RULES_VERSIONS,
    Parameter,
    RulesVersion,
    check_collective_household,
    check_household,
    check_insured_one_year,
    check_rural_rights,
    check_rural_student,
    check_stable_residence,
    check_talent,
    decide_eligibility,
    decision_outcome,
    mask_identity_number,
    parameter_in_force,
    rules_in_force,
)

DECISION_DAY = date(2019, 6, 1)
DESTINATION = "440203"  # 武江区
OTHER_COUNTY = "440204"  # 浈江区
ORIGIN = "440281"  # 乐昌市: the applicant's rural registration
CHANNELS = (
    "stable_residence",
    "insured_one_year",
    "talent",
    "rural_student",
    "collective_household",
)

_sequence = itertools.count(1)


def person(relation: str = "applicant", *, born: date = date(1990, 1, 1), **changes: Any) -> Person:
    """A person with a fresh 18-character identity number (the rules do not validate it)."""
    base = Person(
        id_number=f"{ORIGIN}{born:%Y%m%d}{next(_sequence):03d}X",
        name="测试",
        birth_date=born,
        sex="female",
        relation=relation,
        hukou_region_code=ORIGIN,
        hukou_type="rural",
    )
    return replace(base, **changes)


def facts(channel: str = "stable_residence", **changes: Any) -> ApplicationFacts:
    """Facts that make an eligible application on `channel`, changed as a test needs."""
    base = ApplicationFacts(
        channel=channel,  # type: ignore[arg-type]  # tests pass any channel, as input may
        destination_region_code=DESTINATION,
        decision_date=DECISION_DAY,
        applicant=person(),
        residence=Residence(
            address="武江区某路1号",
            # A collective household is a tenure of its own channel (二.6); renting suits the rest.
            tenure="employer_collective" if channel == "collective_household" else "rented",
            since=date(2016, 1, 1),
            region_code=DESTINATION,
        ),
        social_insurance=SocialInsurance(
            pension_months=14, medical_months=14, insured_region_code=DESTINATION
        ),
        talent=Talent(category="college_graduate"),
        student=Student(stage="admitted", college_region_code=DESTINATION),
    )
    return replace(base, **changes)


def with_residence(**changes: Any) -> Residence:
    base = facts().residence
    assert base is not None
    return replace(base, **changes)


def with_insurance(**changes: Any) -> SocialInsurance:
    base = facts().social_insurance
    assert base is not None
    return replace(base, **changes)


def only(checks: tuple[Check, ...], rule: str) -> Check:
    """The one check with this rule id."""
    (check,) = [c for c in checks if c.rule == rule]
    return check


def members(checks: tuple[Check, ...]) -> list[Check]:
    """The per-member checks of clause 二.3."""
    return [c for c in checks if c.rule == "household.member"]


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

    def months_check(self, months: int | None) -> Check:
        insurance = with_insurance(pension_months=months)
        checks = check_insured_one_year(facts("insured_one_year", social_insurance=insurance))
        return only(checks, "insured_one_year.insured_months")

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

    def test_eleven_months_insured_is_not_enough(self) -> None:
        check = self.months_check(11)
        assert check.outcome == "failed"
        assert "11 months" in check.reason and "12" in check.reason

    def test_unstated_insured_months_are_undetermined_and_named(self) -> None:
        check = self.months_check(None)
        assert check.outcome == "undetermined"
        assert check.missing == ("social_insurance.pension_months",)

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
    """二.4: the four talent categories settle without further conditions."""

    @pytest.mark.parametrize(
        "category",
        ["college_graduate", "skilled_worker", "vocational_graduate", "returned_overseas"],
    )
    def test_every_talent_category_settles_without_further_conditions(
        self, category: TalentCategory
    ) -> None:
        (check,) = check_talent(facts("talent", talent=Talent(category=category)))
        assert (check.rule, check.clause, check.outcome) == ("talent.category", "二.4", "passed")
        assert "no further conditions" in check.reason

    def test_a_missing_talent_section_is_undetermined_and_named(self) -> None:
        (check,) = check_talent(facts("talent", talent=None))
        assert check.outcome == "undetermined"
        assert check.missing == ("talent",)

    def test_the_talent_channel_needs_neither_residence_nor_insurance(self) -> None:
        decision = decide_eligibility(facts("talent", residence=None, social_insurance=None))
        assert decision.outcome == "eligible"
        assert {c.clause for c in decision.checks} == {"五", "二.4", "二.3", "三(四)"}


class TestRuralStudent:
    """二.5: rural students move to the college, and after graduation home or to work."""

    def destination(self, student: Student, destination: str = DESTINATION) -> Check:
        changed = facts("rural_student", student=student, destination_region_code=destination)
        return only(check_rural_student(changed), "rural_student.destination")

    def test_an_admitted_student_moves_to_the_college_county(self) -> None:
        check = self.destination(Student(stage="admitted", college_region_code=DESTINATION))
        assert check.outcome == "passed"
        assert "本人意愿" in check.reason

    def test_an_admitted_student_may_not_move_to_another_county(self) -> None:
        check = self.destination(Student(stage="admitted", college_region_code=OTHER_COUNTY))
        assert check.outcome == "failed"

    def test_an_urban_registered_student_is_not_in_this_channel(self) -> None:
        urban = facts("rural_student", applicant=person(hukou_type="urban"))
        check = only(check_rural_student(urban), "rural_student.rural_registration")
        assert check.outcome == "failed"
        assert "rural-registered" in check.reason

    def test_a_rural_registered_student_is_in_this_channel(self) -> None:
        check = only(
            check_rural_student(facts("rural_student")), "rural_student.rural_registration"
        )
        assert check.outcome == "passed"

    def test_a_graduate_moves_back_to_the_place_of_origin(self) -> None:
        graduated = Student(stage="graduated", college_region_code=OTHER_COUNTY)
        assert self.destination(graduated, destination=ORIGIN).outcome == "passed"

    def test_a_graduate_moves_to_the_county_of_employment(self) -> None:
        graduated = Student(
            stage="graduated", college_region_code=OTHER_COUNTY, employment_region_code=DESTINATION
        )
        assert self.destination(graduated).outcome == "passed"

    def test_a_graduate_may_not_move_elsewhere(self) -> None:
        graduated = Student(
            stage="graduated", college_region_code=DESTINATION, employment_region_code="440205"
        )
        check = self.destination(graduated)
        assert check.outcome == "failed"
        assert "440205" in check.reason and ORIGIN in check.reason

    def test_a_graduate_with_unknown_employment_elsewhere_is_undetermined(self) -> None:
        graduated = Student(stage="graduated", college_region_code=DESTINATION)
        check = self.destination(graduated)
        assert check.outcome == "undetermined"
        assert check.missing == ("student.employment_region_code",)

    def test_a_missing_student_section_is_undetermined_and_named(self) -> None:
        check = only(
            check_rural_student(facts("rural_student", student=None)), "rural_student.destination"
        )
        assert check.outcome == "undetermined"
        assert check.missing == ("student",)


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


class TestHousehold:
    """二.3: the spouse, minor children and parents settle with the applicant in one application."""

    def checks(self, *household: Person, **changes: Any) -> tuple[Check, ...]:
        return check_household(facts(household=household, **changes))

    def test_an_applicant_alone_passes(self) -> None:
        checks = self.checks()
        assert all(c.outcome == "passed" and c.clause == "二.3" for c in checks)
        assert members(checks) == []

    def test_a_spouse_settles_with_the_applicant(self) -> None:
        (member,) = members(self.checks(person("spouse")))
        assert member.outcome == "passed"

    def test_a_parent_settles_with_the_applicant(self) -> None:
        (member,) = members(self.checks(person("parent", born=date(1960, 5, 5))))
        assert member.outcome == "passed"

    def test_a_child_aged_17_years_and_364_days_is_a_minor(self) -> None:
        (member,) = members(self.checks(person("child", born=date(2001, 6, 2))))
        assert member.outcome == "passed"
        assert "is 17" in member.reason
        assert "age_of_majority = 18, source: national law: PRC Civil Code art. 17" in member.reason

    def test_a_child_turning_18_on_the_decision_date_applies_on_their_own(self) -> None:
        (member,) = members(self.checks(person("child", born=date(2001, 6, 1))))
        assert member.outcome == "failed"
        assert "an adult child applies on their own" in member.reason

    def test_a_child_born_on_29_february_is_still_a_minor_on_28_february(self) -> None:
        child = person("child", born=date(2000, 2, 29))
        (member,) = members(self.checks(child, decision_date=date(2018, 2, 28)))
        assert member.outcome == "passed"

    def test_a_sibling_cannot_settle_in_the_application(self) -> None:
        (member,) = members(self.checks(person("sibling")))
        assert member.outcome == "failed"
        assert "sibling" in member.reason

    def test_a_second_applicant_in_the_household_fails(self) -> None:
        (member,) = members(self.checks(person("applicant")))
        assert member.outcome == "failed"

    def test_a_member_born_after_the_decision_date_fails(self) -> None:
        (member,) = members(self.checks(person("child", born=date(2019, 6, 2))))
        assert member.outcome == "failed"

    def test_two_spouses_fail(self) -> None:
        check = only(self.checks(person("spouse"), person("spouse")), "household.single_spouse")
        assert check.outcome == "failed"
        assert "members 1, 2" in check.reason

    def test_one_identity_number_twice_fails(self) -> None:
        spouse = person("spouse")
        twin = person("parent", id_number=spouse.id_number.lower())
        check = only(self.checks(spouse, twin), "household.distinct_people")
        assert check.outcome == "failed"
        assert mask_identity_number(spouse.id_number) in check.reason

    def test_the_applicant_listed_again_as_a_member_fails(self) -> None:
        applicant = person()
        again = person("spouse", id_number=applicant.id_number)
        check = only(self.checks(again, applicant=applicant), "household.distinct_people")
        assert check.outcome == "failed"
        assert "the applicant" in check.reason

    def test_a_whole_family_is_eligible_together(self) -> None:
        family = (
            person("spouse"),
            person("child", born=date(2010, 3, 1)),
            person("parent", born=date(1962, 1, 1)),
        )
        assert decide_eligibility(facts(household=family)).outcome == "eligible"


class TestRuralRights:
    """三(四): rural rights are kept and never weigh on eligibility."""

    @pytest.mark.parametrize(
        "rights",
        [
            RuralRights(land_contract=True, homestead=True, collective_income=True),
            RuralRights(land_contract=False, homestead=False, collective_income=False),
            RuralRights(),
            None,
        ],
    )
    def test_the_rural_rights_check_always_passes(self, rights: RuralRights | None) -> None:
        (check,) = check_rural_rights(facts(rural_rights=rights))
        assert (check.rule, check.clause, check.outcome) == (
            "rural_rights.kept",
            "三(四)",
            "passed",
        )
        assert "no one may be required to give them up" in check.reason

    def test_the_reason_lists_the_rights_held(self) -> None:
        rights = RuralRights(land_contract=True, homestead=False, collective_income=True)
        (check,) = check_rural_rights(facts(rural_rights=rights))
        assert "land contract" in check.reason and "collective income" in check.reason
        assert "homestead" not in check.reason

    @pytest.mark.parametrize("channel", CHANNELS)
    @pytest.mark.parametrize(
        "overrides",
        [{}, {"residence": None}, {"social_insurance": with_insurance(pension_months=3)}],
    )
    def test_rural_rights_never_change_the_outcome(
        self, channel: str, overrides: dict[str, Any]
    ) -> None:
        without = facts(channel, **overrides)
        held = replace(without, rural_rights=RuralRights(True, True, True))
        none_held = replace(without, rural_rights=RuralRights(False, False, False))
        outcomes = {decide_eligibility(f).outcome for f in (without, held, none_held)}
        assert len(outcomes) == 1


class TestValidity:
    """五: a decision is made under the rules version in force on its decision date."""

    def test_the_one_version_is_the_2017_trial_measures_for_three_years(self) -> None:
        (version,) = RULES_VERSIONS
        assert version.id == "shaoguan-2017-trial"
        assert (version.valid_from, version.valid_to) == (date(2017, 10, 23), date(2020, 10, 22))
        assert "韶关市推动非户籍人口在城市落户实施办法(试行)" in version.title

    @pytest.mark.parametrize("day", [date(2017, 10, 23), date(2020, 10, 22)])
    def test_the_first_and_last_days_are_decided_under_the_version(self, day: date) -> None:
        decision = decide_eligibility(facts(decision_date=day))
        assert decision.outcome == "eligible"
        assert decision.rules_version == "shaoguan-2017-trial"
        validity = decision.checks[0]
        assert (validity.rule, validity.clause, validity.outcome) == (
            "validity.rules_in_force",
            "五",
            "passed",
        )

    @pytest.mark.parametrize("day", [date(2017, 10, 22), date(2020, 10, 23)])
    def test_outside_the_period_the_decision_is_undetermined_without_rules(self, day: date) -> None:
        decision = decide_eligibility(facts(decision_date=day))
        assert decision.outcome == "undetermined"
        assert decision.rules_version is None
        (check,) = decision.checks
        assert (check.rule, check.clause, check.outcome) == (
            "validity.rules_in_force",
            "五",
            "undetermined",
        )
        assert "2017-10-23 to 2020-10-22" in check.reason
        assert "no settlement rule was applied" in check.reason

    def test_an_extra_version_covers_a_later_date(self) -> None:
        continuation = RulesVersion(
            id="shaoguan-continuation",
            title="continuation of the 2017 measures",
            valid_from=date(2020, 10, 23),
            valid_to=None,
            source="local parameter: public_security",
        )
        decision = decide_eligibility(
            facts("talent", decision_date=date(2022, 1, 1)),
            versions=(*RULES_VERSIONS, continuation),
        )
        assert decision.rules_version == "shaoguan-continuation"
        assert decision.outcome == "eligible"

    def test_an_extra_version_with_an_extra_parameter_decides_insured_one_year(self) -> None:
        later = date(2022, 1, 1)
        version = RulesVersion("successor", "successor", date(2020, 10, 23), None, "local")
        months = Parameter(MINIMUM_INSURED_MONTHS, 12, version.valid_from, None, "local", "ps")
        decision = decide_eligibility(
            facts("insured_one_year", decision_date=later),
            versions=(*RULES_VERSIONS, version),
            parameters=(*PARAMETERS, months),
        )
        assert decision.outcome == "eligible"

    def test_a_later_version_supersedes_an_overlapping_earlier_one(self) -> None:
        successor = replace(RULES_VERSIONS[0], id="successor", valid_from=date(2019, 1, 1))
        chosen = rules_in_force(date(2019, 6, 1), (*RULES_VERSIONS, successor))
        assert chosen is not None and chosen.id == "successor"

    def test_no_version_is_in_force_when_none_is_known(self) -> None:
        assert rules_in_force(DECISION_DAY, ()) is None

    def test_the_age_of_majority_holds_across_the_measures_period(self) -> None:
        majority = parameter_in_force(AGE_OF_MAJORITY, date(2017, 10, 23), PARAMETERS)
        assert majority is not None and majority.value == 18


class TestDecision:
    """The decision: validity first, then the channel, household and rural rights."""

    @pytest.mark.parametrize("channel", CHANNELS)
    def test_the_base_facts_are_eligible_on_every_channel(self, channel: str) -> None:
        decision = decide_eligibility(facts(channel))
        assert decision.outcome == "eligible" and decision.eligible
        assert decision.rules_version == "shaoguan-2017-trial"
        assert decision.decision_date == DECISION_DAY

    def test_the_checks_come_in_order_validity_channel_household_rural_rights(self) -> None:
        decision = decide_eligibility(facts(household=(person("spouse"),)))
        assert [c.rule for c in decision.checks] == [
            "validity.rules_in_force",
            "stable_residence.residence",
            "stable_residence.insurance",
            "household.single_spouse",
            "household.distinct_people",
            "household.member",
            "rural_rights.kept",
        ]

    def test_a_failed_check_makes_the_applicant_ineligible_even_with_missing_facts(self) -> None:
        decision = decide_eligibility(
            facts(social_insurance=None, residence=with_residence(tenure="employer_collective"))
        )
        assert decision.outcome == "ineligible" and not decision.eligible
        assert [c.rule for c in decision.failed_checks] == ["stable_residence.residence"]

    def test_missing_facts_make_the_decision_undetermined_and_are_listed_once(self) -> None:
        decision = decide_eligibility(facts(social_insurance=SocialInsurance(pension_months=3)))
        assert decision.outcome == "undetermined"
        assert decision.missing == ("social_insurance.medical_months",)

    def test_decision_missing_is_deduplicated_in_order(self) -> None:
        checks = (
            Check("a", "二.1", "undetermined", "x", ("residence", "talent")),
            Check("b", "二.2", "undetermined", "y", ("talent", "student")),
        )
        decision = Decision("undetermined", "talent", None, DECISION_DAY, checks)
        assert decision.missing == ("residence", "talent", "student")

    def test_outcome_prefers_failed_over_undetermined_over_eligible(self) -> None:
        ok = Check("a", "二.1", "passed", "ok")
        unknown = Check("b", "二.1", "undetermined", "?")
        no = Check("c", "二.1", "failed", "no")
        assert decision_outcome([ok]) == "eligible"
        assert decision_outcome([ok, unknown]) == "undetermined"
        assert decision_outcome([unknown, no, ok]) == "ineligible"

    def test_an_unknown_channel_fails_rather_than_passing_silently(self) -> None:
        decision = decide_eligibility(facts("points_system"))
        assert decision.outcome == "ineligible"
        assert only(decision.checks, "channel.known").clause == "二"

    def test_no_check_relies_on_a_settlement_target(self) -> None:
        decision = decide_eligibility(facts())
        assert not {"一.1", "一.2", "二.7"} & {c.clause for c in decision.checks}


class TestIdentityNumbersInReasons:
    """No reason shows an identity number in full."""

    def test_masking_keeps_the_first_four_and_last_four_characters(self) -> None:
        assert mask_identity_number("440203199001011234") == "4402**********1234"

    def test_masking_a_malformed_number_never_shows_it_whole(self) -> None:
        assert mask_identity_number("12345678") == "12****78"
        assert mask_identity_number("123") == "***"

    @pytest.mark.parametrize("channel", CHANNELS)
    def test_no_identity_number_appears_in_clear_in_any_reason(self, channel: str) -> None:
        applicant = person()
        household = (
            person("spouse", id_number=applicant.id_number),
            person("spouse"),
            person("child", born=date(1995, 1, 1)),
            person("sibling"),
            person("parent", born=date(1960, 1, 1)),
        )
        decisions = [
            decide_eligibility(facts(channel, applicant=applicant, household=household)),
            decide_eligibility(facts(channel, applicant=applicant, decision_date=date(2030, 1, 1))),
        ]
        numbers = {applicant.id_number} | {m.id_number for m in household}
        reasons = [c.reason for d in decisions for c in d.checks]
        assert not [(n, r) for n in numbers for r in reasons if n in r]
