"""三(七) as code: which adults get a pension continuation, the scheme, months and status."""

from __future__ import annotations

import re
from datetime import date

import pytest

from services.pension.rules import decide_continuations
from services.pension.rules.base import EMPLOYER_PAID, OriginConfirmation
from shared.parameters import ParameterSet
from tests.unit.pension.support import (
    MEIZHOU,
    NONE,
    PRESUMED_SCHEME,
    WUJIANG,
    ZHENJIANG,
    applicant,
    facts,
    grandfather,
    member,
    of,
    only,
    parameter,
    presumed,
    wife,
)


class TestWhoGetsAContinuation:
    @pytest.mark.parametrize(
        "born",
        [date(2012, 3, 3), date(2001, 6, 2)],
        ids=["a child", "18 the day after the decision"],
    )
    def test_a_member_under_18_on_the_decision_date_gets_no_pension_entry(self, born: date) -> None:
        settlement = facts(applicant(), member(1, "child", born))

        continuations = decide_continuations(settlement, NONE)

        assert [c.member_index for c in continuations] == [0]

    def test_a_member_18_on_the_decision_date_gets_one(self) -> None:
        settlement = facts(applicant(), member(1, "child", date(2001, 6, 1)))

        assert of(settlement, 1).age_on_decision_date == 18

    def test_each_adult_gets_one_citing_the_clause_and_the_age_of_majority(self) -> None:
        settlement = facts(applicant(), wife(), member(2, "parent", date(1955, 1, 1)))

        continuations = decide_continuations(settlement, NONE)

        assert [c.member_index for c in continuations] == [0, 1, 2]
        assert {c.clause for c in continuations} == {"三(七)"}
        for continuation in continuations:
            names = [p["name"] for p in continuation.parameters]
            assert "age_of_majority" in names


class TestTheSchemeJoined:
    @pytest.mark.parametrize(
        ("employer_paid", "scheme", "words"),
        [(True, "employee", "城镇职工"), (False, "urban_rural_resident", "城乡居民")],
        ids=["an employer pays", "no employer pays"],
    )
    def test_the_applicants_scheme_follows_who_pays(
        self, employer_paid: bool, scheme: str, words: str
    ) -> None:
        continuation = only(facts(employer_paid=employer_paid))

        assert continuation.scheme == scheme
        assert words in continuation.reason

    def test_an_applicant_whose_employer_is_not_stated_is_information_needed(self) -> None:
        continuation = only(facts(employer_paid=None))

        assert continuation.scheme == "information_needed"
        assert continuation.status == "information_needed"
        assert continuation.missing == ("social_insurance.employer_paid",)

    def test_other_adults_are_information_needed_without_a_local_presumption(self) -> None:
        spouse = of(facts(applicant(), wife()), 1)

        assert spouse.scheme == "information_needed"
        assert spouse.status == "information_needed"
        assert PRESUMED_SCHEME in spouse.reason
        # either the fact supplied for her or the city's presumption decides it
        assert spouse.missing == (EMPLOYER_PAID, f"parameters.{PRESUMED_SCHEME}")

    @pytest.mark.parametrize(
        ("employer_paid", "scheme"), [(True, "employee"), (False, "urban_rural_resident")]
    )
    def test_another_adults_scheme_follows_who_pays_once_supplied(
        self, employer_paid: bool, scheme: str
    ) -> None:
        spouse = of(facts(applicant(), wife(employer_paid=employer_paid)), 1)

        assert spouse.scheme == scheme
        assert spouse.status == "awaiting_origin"
        assert spouse.missing == ()
        assert f"{EMPLOYER_PAID}, supplied" in spouse.reason

    def test_a_fact_supplied_for_another_adult_wins_over_the_presumption(self) -> None:
        spouse = of(facts(applicant(), wife(employer_paid=True)), 1, presumed())

        assert spouse.scheme == "employee"
        assert not any(p["name"] == PRESUMED_SCHEME for p in spouse.parameters)

    def test_other_adults_follow_the_local_presumption_in_force(self) -> None:
        spouse = of(facts(applicant(), wife()), 1, presumed())

        assert spouse.scheme == "urban_rural_resident"
        assert spouse.status == "awaiting_origin"
        assert any(
            p["name"] == PRESUMED_SCHEME and p["source"] == "test fixture"
            for p in spouse.parameters
        )

    def test_a_presumption_of_another_county_or_period_is_not_used(self) -> None:
        presumptions = ParameterSet(
            (
                parameter(PRESUMED_SCHEME, "employee", ZHENJIANG),
                parameter(
                    PRESUMED_SCHEME,
                    "employee",
                    WUJIANG,
                    valid_from=date(2018, 1, 1),
                    valid_to=date(2018, 12, 31),
                ),
            )
        )

        assert of(facts(applicant(), wife()), 1, presumptions).scheme == "information_needed"

    def test_the_applicants_own_facts_win_over_the_presumption(self) -> None:
        assert only(facts(employer_paid=True), presumed()).scheme == "employee"


class TestMonthsAndStatus:
    @pytest.mark.parametrize(
        ("months", "insured", "status", "words"),
        [
            (14, WUJIANG, "continued", "no transfer between cities"),
            (14, MEIZHOU, "awaiting_origin", "outside Shaoguan"),
            (None, WUJIANG, "awaiting_origin", "not stated"),
        ],
        ids=["held in Shaoguan", "held outside Shaoguan", "unknown months, even inside"],
    )
    def test_months_continue_in_shaoguan_and_otherwise_await_the_origin(
        self, months: int | None, insured: str, status: str, words: str
    ) -> None:
        continuation = only(facts(pension_months=months, insured_region_code=insured))

        assert continuation.status == status
        assert continuation.months_carried_over == months
        assert continuation.origin_region_code == insured
        assert words in continuation.reason

    def test_without_an_insured_region_the_origin_is_the_previous_registration(self) -> None:
        continuation = only(facts(insured_region_code=None))

        assert continuation.origin_region_code == MEIZHOU
        assert continuation.status == "awaiting_origin"

    def test_other_adults_months_are_unknown_until_the_origin_confirms(self) -> None:
        spouse = of(facts(applicant(), wife(WUJIANG)), 1, presumed())

        assert spouse.months_carried_over is None
        assert spouse.months_source is None
        assert spouse.status == "awaiting_origin"
        assert spouse.awaiting is not None
        assert "county agency" in spouse.awaiting

    def test_what_awaits_the_origin_says_so_and_nothing_else_does(self) -> None:
        outside = only(facts(insured_region_code=MEIZHOU))
        inside = only(facts())

        assert outside.awaiting is not None
        assert MEIZHOU in outside.awaiting
        assert "outside Shaoguan" in outside.awaiting
        assert inside.awaiting is None

    def test_the_months_the_origin_confirmed_continue_the_relationship(self) -> None:
        confirmed = applicant(confirmed=OriginConfirmation(28))

        continuation = only(facts(confirmed, pension_months=30, insured_region_code=MEIZHOU))

        assert continuation.status == "continued"
        assert continuation.months_carried_over == 28
        assert continuation.months_source == "origin_confirmation"
        assert continuation.origin_region_code == MEIZHOU
        assert continuation.awaiting is None
        assert "confirmed 28 months carried over (the application stated 30)" in (
            continuation.reason
        )

    def test_a_confirming_origin_other_than_the_stated_one_is_the_origin(self) -> None:
        spouse = wife(employer_paid=False, confirmed=OriginConfirmation(12, "441481"))

        continued = of(facts(applicant(), spouse), 1)

        assert (continued.status, continued.origin_region_code) == ("continued", "441481")
        assert continued.months_carried_over == 12

    def test_a_reason_names_members_by_relation_and_place_only(self) -> None:
        settlement = facts(applicant(), grandfather())

        reasons = [c.reason for c in decide_continuations(settlement, NONE)]

        assert reasons[0].startswith("The applicant is 31")
        assert reasons[1].startswith("The parent (member 1) is 69")
        assert not any(re.search(r"[0-9]{15}", reason) for reason in reasons)

    def test_a_member_born_after_the_decision_date_is_refused(self) -> None:
        settlement = facts(applicant(), member(1, "child", date(2020, 1, 1)))

        with pytest.raises(ValueError, match="precedes"):
            decide_continuations(settlement, NONE)
