"""Unit tests of the rules every channel applies: the household (二.3), rural rights kept
(三(四)), and identity numbers never shown whole in a reason (no I/O)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from services.hukou.domain import (
    Person,
    RuralRights,
)
from services.hukou.rules import (
    check_household,
    check_rural_rights,
    decide_eligibility,
    member_places,
)
from shared.identity import mask_id_number
from shared.rules import Check
from tests.unit.hukou.support import (
    CHANNELS,
    facts,
    members,
    only,
    person,
    with_insurance,
)


class TestHousehold:
    """二.3: the spouse, minor children and parents settle with the applicant in one application;
    anyone else listed is left out of it (a check that passes), never a refusal of the rest."""

    def checks(self, *household: Person, **changes: Any) -> tuple[Check, ...]:
        return check_household(facts(household=household, **changes))

    def test_an_applicant_alone_passes(self) -> None:
        checks = self.checks()
        assert all(c.outcome == "passed" and c.clause == "二.3" for c in checks)
        assert members(checks) == []

    @pytest.mark.parametrize(
        ("relation", "born", "joins", "outcome"),
        [
            pytest.param("spouse", date(1990, 1, 1), True, "passed", id="a_spouse_joins"),
            pytest.param("parent", date(1960, 5, 5), True, "passed", id="a_parent_joins"),
            pytest.param(
                "applicant", date(1990, 1, 1), False, "passed", id="a_second_applicant_is_left_out"
            ),
            pytest.param(
                "child",
                date(2019, 6, 2),
                False,
                "failed",
                id="a_member_born_after_the_decision_date_fails",
            ),
        ],
    )
    def test_who_settles_with_the_applicant(
        self, relation: str, born: date, joins: bool, outcome: str
    ) -> None:
        (place,) = member_places(facts(household=(person(relation, born=born),)))
        assert (place.joins, place.check.outcome) == (joins, outcome)

    def test_a_child_aged_17_years_and_364_days_is_a_minor(self) -> None:
        (place,) = member_places(facts(household=(person("child", born=date(2001, 6, 2)),)))
        assert (place.joins, place.check.outcome) == (True, "passed")
        assert "is 17" in place.check.reason
        assert (
            "age_of_majority = 18, source: national law: PRC Civil Code art. 17"
            in place.check.reason
        )

    def test_a_child_turning_18_on_the_decision_date_is_left_out_not_refused(self) -> None:
        # 二.3: 举家进城落户 is encouraged; an adult child does not sink the rest of the family.
        (place,) = member_places(facts(household=(person("child", born=date(2001, 6, 1)),)))
        assert (place.joins, place.check.outcome) == (False, "passed")
        assert "is 18" in place.check.reason and "an adult" in place.check.reason
        assert "may apply on their own" in place.check.reason

    def test_a_child_born_on_29_february_is_still_a_minor_on_28_february(self) -> None:
        child = person("child", born=date(2000, 2, 29))
        (place,) = member_places(facts(household=(child,), decision_date=date(2018, 2, 28)))
        assert place.joins is True

    def test_a_sibling_is_left_out_of_the_application(self) -> None:
        (place,) = member_places(facts(household=(person("sibling"),)))
        assert (place.joins, place.check.outcome) == (False, "passed")
        assert "sibling" in place.check.reason and "apply on their own" in place.check.reason

    def test_without_the_age_of_majority_in_force_a_child_is_undetermined(self) -> None:
        child = person("child", born=date(2010, 1, 1))
        (place,) = member_places(facts(household=(child,)), parameters=())
        assert (place.joins, place.check.outcome) == (None, "undetermined")

    def test_two_spouses_fail(self) -> None:
        check = only(self.checks(person("spouse"), person("spouse")), "household.single_spouse")
        assert check.outcome == "failed"
        assert "members 1, 2" in check.reason

    def test_one_identity_number_twice_fails(self) -> None:
        spouse = person("spouse")
        twin = person("parent", id_number=spouse.id_number.lower())
        check = only(self.checks(spouse, twin), "household.distinct_people")
        assert check.outcome == "failed"
        assert mask_id_number(spouse.id_number) in check.reason

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


class TestIdentityNumbersInReasons:
    """No reason shows an identity number in full."""

    def test_masking_keeps_the_first_four_and_last_four_characters(self) -> None:
        assert mask_id_number("440203199001011234") == "4402**********1234"

    def test_masking_a_malformed_number_never_shows_it_whole(self) -> None:
        assert mask_id_number("12345678") == "12****78"
        assert mask_id_number("123") == "***"

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
        reasons += [m.reason for d in decisions for m in d.members]
        assert not [(n, r) for n in numbers for r in reasons if n in r]
