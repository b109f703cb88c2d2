"""How each member enters medical insurance under 三(六): the scheme by employment, transfer
from the origin, continuation, enrolment, the rural presumption and facts supplied later."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.medical_insurance.rules import (
    CLAUSE,
    EMPLOYER_PAID,
    INSURED_REGION,
    MEDICAL_MONTHS,
    PRESUME_RURAL_MEMBERS_INSURED,
    Insurance,
    awaiting_origin,
    decide_entry,
    decide_member,
)
from shared.national import MINIMUM_WORKING_AGE
from shared.settlement import SocialInsurance
from tests.support import MEIZHOU, WUJIANG
from tests.unit.medical_insurance.support import (
    CONFIGURED,
    DAYS_60,
    DECISION_DAY,
    IN_SHIXING,
    PRESUME,
    SHIXING,
    applicant_entry,
    insured,
    member,
    parameter,
    settlement,
)


class TestSchemeByEmployment:
    @pytest.mark.parametrize(
        ("employer_paid", "to_scheme", "from_scheme"),
        [
            (True, "employee", "employee"),  # the urban employees' scheme
            (False, "urban_rural_resident", None),  # the residents' scheme
        ],
    )
    def test_whether_the_employer_pays_decides_the_scheme_joined(
        self, employer_paid: bool, to_scheme: str, from_scheme: str | None
    ) -> None:
        entry = applicant_entry(insured(employer_paid=employer_paid))
        assert (entry.kind, entry.to_scheme, entry.from_scheme) == (
            "transfer",
            to_scheme,
            from_scheme,
        )

    def test_unknown_employment_is_information_needed_naming_employer_paid(self) -> None:
        entry = applicant_entry(insured())
        assert entry.kind == entry.status == "information_needed"
        assert entry.missing == ("social_insurance.employer_paid",)
        assert entry.to_scheme is None
        assert entry.from_region_code == MEIZHOU  # what is known is kept

    def test_a_child_under_sixteen_joins_the_residents_scheme_without_employment_facts(
        self,
    ) -> None:
        child = member("child", born=date(2005, 6, 2), index=2)  # 13 on the decision date
        entry = decide_entry(child, Insurance(insured=False), CONFIGURED)
        assert (entry.kind, entry.to_scheme) == ("enrollment", "urban_rural_resident")
        assert entry.parameters[0]["name"] == MINIMUM_WORKING_AGE.name

    def test_a_member_turning_sixteen_on_the_decision_date_needs_employment_facts(self) -> None:
        sixteen = member("child", born=date(2003, 6, 1), index=2)
        entry = decide_entry(sixteen, Insurance(insured=False), CONFIGURED)
        assert entry.status == "information_needed"


class TestOrigin:
    def test_origin_outside_shaoguan_awaits_the_origins_confirmation(self) -> None:
        entry = applicant_entry(insured(employer_paid=True))
        assert entry.status == "awaiting_origin"
        assert entry.from_region_code == MEIZHOU
        assert entry.months_declared == 30
        assert entry.months_carried_over is None  # until the origin confirms
        assert entry.coverage_start == DECISION_DAY
        assert entry.clause == CLAUSE == "三(六)"

    def test_origin_inside_shaoguan_across_schemes_completes_at_once(self) -> None:
        facts = replace(IN_SHIXING, scheme="urban_rural_resident", months=40, employer_paying=True)
        entry = decide_entry(member(), facts, CONFIGURED)
        assert (entry.kind, entry.status) == ("transfer", "completed")
        assert (entry.from_scheme, entry.to_scheme) == ("urban_rural_resident", "employee")
        assert entry.months_carried_over == 40
        assert entry.confirmation_deadline is None

    def test_rural_cooperative_scheme_in_shaoguan_joins_the_residents_scheme_at_once(
        self,
    ) -> None:
        facts = replace(IN_SHIXING, scheme="new_rural_cooperative", months=7, employer_paying=False)
        entry = decide_entry(member(), facts, CONFIGURED)
        assert (entry.kind, entry.status, entry.to_scheme) == (
            "transfer",
            "completed",
            "urban_rural_resident",
        )

    def test_presumed_member_registered_outside_shaoguan_awaits_the_origin(self) -> None:
        spouse = member("spouse", region=MEIZHOU, index=1)
        entry = decide_member(spouse, insured(employer_paid=True), CONFIGURED)
        assert (entry.kind, entry.status, entry.basis) == (
            "transfer",
            "awaiting_origin",
            "presumption",
        )
        assert (entry.from_region_code, entry.from_scheme) == (MEIZHOU, "urban_rural_resident")
        assert entry.to_scheme == "urban_rural_resident"  # the applicant's facts are not theirs
        assert entry.months_declared is None


class TestAlreadyInsuredInTheCity:
    def test_applicant_insured_in_a_shaoguan_county_continues(self) -> None:
        entry = applicant_entry(insured(region="440204", employer_paid=True))
        assert (entry.kind, entry.status) == ("continuation", "completed")
        assert entry.to_scheme == "employee"
        assert entry.coverage_start is None  # nothing begins: the coverage held goes on

    def test_continuation_needs_no_employment_facts(self) -> None:
        entry = applicant_entry(insured(region="440204"))
        assert (entry.kind, entry.missing) == ("continuation", ())

    def test_presumed_rural_member_from_a_shaoguan_county_continues(self) -> None:
        parent = member("parent", born=date(1950, 1, 1), region=SHIXING, index=3)
        entry = decide_member(parent, None, CONFIGURED)
        assert (entry.kind, entry.to_scheme, entry.basis) == (
            "continuation",
            "urban_rural_resident",
            "presumption",
        )


class TestInsuredNowhere:
    def test_no_months_of_medical_insurance_is_an_enrollment_from_the_decision_date(self) -> None:
        entry = applicant_entry(SocialInsurance(medical_months=0, employer_paid=False))
        assert (entry.kind, entry.status, entry.to_scheme) == (
            "enrollment",
            "completed",
            "urban_rural_resident",
        )
        assert entry.coverage_start == DECISION_DAY
        assert entry.from_region_code is None

    def test_an_employee_insured_nowhere_is_enrolled_in_the_employees_scheme(self) -> None:
        entry = applicant_entry(SocialInsurance(medical_months=0, employer_paid=True))
        assert (entry.kind, entry.to_scheme) == ("enrollment", "employee")

    def test_months_without_a_region_are_information_needed(self) -> None:
        entry = applicant_entry(SocialInsurance(medical_months=12, employer_paid=True))
        assert entry.missing == ("social_insurance.insured_region_code",)


class TestPresumption:
    def test_without_the_parameter_a_silent_member_waits_for_the_facts_or_the_parameter(
        self,
    ) -> None:
        entry = decide_member(member("spouse", index=1), insured(), settlement(DAYS_60))
        assert entry.status == "information_needed"
        assert entry.missing == (
            "social_insurance.medical_months",
            "social_insurance.insured_region_code",
            f"parameters.{PRESUME_RURAL_MEMBERS_INSURED}",
        )
        assert PRESUME_RURAL_MEMBERS_INSURED in entry.reason

    def test_with_the_parameter_a_rural_member_is_presumed_insured_at_origin(self) -> None:
        entry = decide_member(member("spouse", index=1), None, CONFIGURED)
        assert entry.basis == "presumption"
        assert PRESUME.reference() in entry.parameters

    def test_a_parameter_saying_false_presumes_nothing_and_is_cited(self) -> None:
        no = parameter(PRESUME_RURAL_MEMBERS_INSURED, False)
        entry = decide_member(member("spouse", index=1), None, settlement(DAYS_60, no))
        assert entry.status == "information_needed"
        assert entry.parameters == (no.reference(),)
        assert entry.missing == (MEDICAL_MONTHS, INSURED_REGION)  # no parameter is awaited

    def test_a_parameter_not_yet_in_force_on_the_decision_date_presumes_nothing(self) -> None:
        later = parameter(PRESUME_RURAL_MEMBERS_INSURED, True, valid_from=date(2019, 6, 2))
        entry = decide_member(member("spouse", index=1), None, settlement(DAYS_60, later))
        assert entry.status == "information_needed"

    def test_an_urban_registered_member_is_never_presumed(self) -> None:
        urban = member("spouse", hukou_type="urban", index=1)
        entry = decide_member(urban, None, CONFIGURED)
        assert entry.status == "information_needed"
        assert "urban-registered" in entry.reason

    def test_a_silent_applicant_is_presumed_but_keeps_the_stated_employment(self) -> None:
        entry = applicant_entry(SocialInsurance(pension_months=20, employer_paid=True))
        assert (entry.basis, entry.from_scheme, entry.to_scheme) == (
            "presumption",
            "urban_rural_resident",
            "employee",
        )

    def test_the_destination_countys_own_value_wins_over_the_citywide(self) -> None:
        county_no = parameter(PRESUME_RURAL_MEMBERS_INSURED, False, region_code=WUJIANG)
        entry = decide_member(
            member("spouse", index=1), None, settlement(DAYS_60, PRESUME, county_no)
        )
        assert entry.status == "information_needed"


class TestSuppliedFacts:
    """Facts the department supplies for a member, by the application's own names."""

    def test_facts_supplied_for_a_member_the_application_is_silent_on_decide_the_entry(
        self,
    ) -> None:
        urban = member("parent", born=date(1958, 7, 7), hukou_type="urban", index=3)
        supplied = {MEDICAL_MONTHS: 48, INSURED_REGION: SHIXING, EMPLOYER_PAID: False}
        entry = decide_member(urban, insured(employer_paid=True), CONFIGURED, supplied)
        assert (entry.kind, entry.status, entry.basis) == (
            "continuation",
            "completed",
            "department",
        )
        assert entry.from_region_code == SHIXING  # not the applicant's region

    def test_months_supplied_without_a_region_ask_for_the_region(self) -> None:
        urban = member("parent", born=date(1958, 7, 7), hukou_type="urban", index=3)
        entry = decide_member(urban, None, CONFIGURED, {MEDICAL_MONTHS: 12})
        assert entry.missing == (INSURED_REGION,)

    def test_insured_nowhere_asks_whether_the_employer_pays_only_of_a_member_of_working_age(
        self,
    ) -> None:
        adult = member("parent", born=date(1958, 7, 7), hukou_type="urban", index=3)
        child = member("child", born=date(2012, 3, 3), hukou_type="urban", index=2)
        nowhere = {MEDICAL_MONTHS: 0}
        assert decide_member(adult, None, CONFIGURED, nowhere).missing == (EMPLOYER_PAID,)
        enrolled = decide_member(child, None, CONFIGURED, nowhere)
        assert (enrolled.kind, enrolled.basis) == ("enrollment", "department")

    def test_a_fact_supplied_for_the_applicant_completes_the_application(self) -> None:
        supplied = {INSURED_REGION: MEIZHOU}
        entry = applicant_entry(SocialInsurance(medical_months=12, employer_paid=True))
        assert entry.missing == (INSURED_REGION,)
        completed = decide_member(
            member(), SocialInsurance(medical_months=12, employer_paid=True), CONFIGURED, supplied
        )
        assert (completed.kind, completed.status, completed.months_declared) == (
            "transfer",
            "awaiting_origin",
            12,
        )
        assert completed.basis == "department"

    def test_an_awaiting_transfer_names_its_id_and_deadline(self) -> None:
        assert "transfer t-1, due by 2019-07-31" in awaiting_origin("t-1", date(2019, 7, 31))
        assert "no deadline set" in awaiting_origin("t-1", None)


@pytest.mark.parametrize("months", [None, 0, 30])
def test_every_member_gets_exactly_one_entry_citing_the_clause(months: int | None) -> None:
    entry = applicant_entry(SocialInsurance(medical_months=months, employer_paid=True))
    assert entry.clause == "三(六)"
    assert entry.member_index == 0
