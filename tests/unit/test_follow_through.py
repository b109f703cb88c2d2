"""The follow-through kernel's parts: gaps from checks, facts checked, supplied facts read in."""

from __future__ import annotations

from datetime import date

import pytest

from shared.errors import InvalidInput
from shared.follow_through import FactField, Gap, InformationIn, gaps_of
from shared.follow_through.facts import checked_facts
from shared.follow_through.kernel import with_supplied
from shared.rules import failed, passed, undetermined
from shared.settlement import Amount, Answer
from tests.settlements import member, settlement

FACTS = (
    FactField("housing.monthly_household_income", Amount, False, "yuan a month"),
    FactField("social_insurance.employer_paid", Answer, True, "an employer pays"),
)


def test_each_missing_fact_of_an_undetermined_check_is_one_gap() -> None:
    checks = [
        passed("a", "三(五)", "met"),
        failed("b", "三(五)", "not met"),
        undetermined("c", "三(五)", "income unknown", ["housing.monthly_household_income"]),
        undetermined("d", "三(五)", "no limit", ["parameters.income_limit_per_capita"]),
        undetermined("e", "三(五)", "income again", ["housing.monthly_household_income"]),
    ]

    assert gaps_of(checks, member_index=2) == [
        Gap("housing.monthly_household_income", "income unknown", "information", 2),
        Gap("parameters.income_limit_per_capita", "no limit", "parameter", 2),
    ]


def test_facts_are_checked_by_name_owner_and_type_before_anything_is_kept() -> None:
    given = InformationIn(member_index=1, facts={"social_insurance.employer_paid": False})
    assert checked_facts(FACTS, given, members=3) == {"social_insurance.employer_paid": False}

    wrong = InformationIn(member_index=1, facts={"social_insurance.employer_paid": "no", "x": 1})
    with pytest.raises(InvalidInput) as refused:
        checked_facts(FACTS, wrong, members=3)
    assert [d["field"] for d in refused.value.details] == [
        "facts.social_insurance.employer_paid",
        "facts.x",
    ]


def test_a_supplied_fact_of_an_event_section_is_read_as_if_the_application_had_stated_it() -> None:
    approved = settlement(
        members=[member(date(1988, 5, 1), "applicant"), member(date(1990, 2, 2), "spouse")],
        social_insurance={"pension_months": 14, "employer_paid": None},
        housing=None,
    ).model_dump(mode="json")
    supplied = {
        "household": {"housing.monthly_household_income": 4200},
        "0": {"social_insurance.employer_paid": True},
        "1": {"social_insurance.employer_paid": False},  # the spouse's: not the applicant's
    }

    read = with_supplied(approved, supplied)

    assert read.housing is not None and read.housing.monthly_household_income == 4200
    assert read.social_insurance is not None
    assert (read.social_insurance.employer_paid, read.social_insurance.pension_months) == (True, 14)
