"""三(七) as code: whether an adult contributes or, at pension age, draws on local terms."""

from __future__ import annotations

from datetime import date

import pytest

from services.pension.rules.base import EMPLOYER_PAID, OCCUPATION_CATEGORY
from tests.unit.pension.support import applicant, facts, grandfather, member, of, only, wife


class TestThoseAtPensionAge:
    def test_a_grandparent_past_pension_age_draws_on_local_terms(self) -> None:
        grandparent = of(facts(applicant(), grandfather()), 1)

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
        assert continuation.missing == (OCCUPATION_CATEGORY,)
        (check,) = continuation.open_checks
        assert "worker or staff" in check.reason
        assert "1967" not in check.reason  # no birth date in what travels as an open item

    @pytest.mark.parametrize(
        ("category", "status", "age"),
        [("worker", "drawing", "50"), ("staff", "continued", "55")],
    )
    def test_a_woman_of_52_whose_occupation_category_is_supplied_is_decided(
        self, category: str, status: str, age: str
    ) -> None:
        woman = applicant(date(1967, 1, 1), "female", occupation_category=category)

        continuation = only(facts(woman, employer_paid=True))

        assert (continuation.status, continuation.pension_age) == (status, age)
        assert continuation.missing == ()

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
        assert OCCUPATION_CATEGORY not in mother.missing
        assert EMPLOYER_PAID in mother.missing

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


def test_no_single_pension_age_is_shown_where_it_depends_on_facts_not_given() -> None:
    spouse = of(facts(applicant(), wife()), 1)

    assert spouse.pension_age is None
    assert "women workers in the employee scheme: 50" in spouse.reason
    assert "the urban-rural residents' pension: 60" in spouse.reason
