"""Unit tests of who of an application settles (二.3, 举家进城落户): the decision names, per
person, whether they settle and why; a member who cannot settle with the applicant is left out
and the rest decided (no I/O)."""

from __future__ import annotations

from datetime import date

from services.hukou.domain import Decision, Student
from services.hukou.rules import decide_eligibility
from tests.unit.hukou.support import facts, person, with_insurance

SPOUSE = person("spouse")
CHILD_OF_19 = person("child", born=date(2000, 5, 31))  # 19 on DECISION_DAY, 2019-06-01
CHILD_OF_17 = person("child", born=date(2001, 6, 2))  # 18 the day after DECISION_DAY


def settles(decision: Decision) -> list[tuple[int, str, bool | None]]:
    return [(m.index, m.relation, m.settles) for m in decision.members]


class TestMembersDecided:
    def test_an_adult_child_is_left_out_and_the_rest_of_the_family_settles(self) -> None:
        decision = decide_eligibility(facts(household=(SPOUSE, CHILD_OF_19)))
        assert decision.outcome == "eligible"
        assert settles(decision) == [
            (0, "applicant", True),
            (1, "spouse", True),
            (2, "child", False),
        ]
        child = decision.members[2]
        assert child.clause == "二.3"
        assert "is 19 on 2019-06-01, an adult" in child.reason
        assert "may apply on their own" in child.reason

    def test_a_child_a_day_short_of_18_settles_with_the_applicant(self) -> None:
        decision = decide_eligibility(facts(household=(CHILD_OF_17,)))
        assert settles(decision) == [(0, "applicant", True), (1, "child", True)]
        assert "is 17 on 2019-06-01, a minor" in decision.members[1].reason

    def test_a_child_turning_18_on_the_decision_date_is_left_out(self) -> None:
        child = person("child", born=date(2001, 6, 1))
        decision = decide_eligibility(facts(household=(SPOUSE, child)))
        assert decision.outcome == "eligible"
        assert [m.settles for m in decision.members] == [True, True, False]

    def test_the_applicants_reason_names_the_channel(self) -> None:
        (applicant,) = decide_eligibility(facts("insured_one_year")).members
        assert (applicant.clause, applicant.settles) == ("二.2", True)
        assert "insured_one_year" in applicant.reason

    def test_no_one_settles_with_an_ineligible_applicant(self) -> None:
        refused = facts(
            household=(SPOUSE, CHILD_OF_19), social_insurance=with_insurance(pension_months=0)
        )
        decision = decide_eligibility(refused)
        assert decision.outcome == "ineligible"
        assert [m.settles for m in decision.members] == [False, False, False]
        assert "stable_residence.insurance" in decision.members[0].reason
        assert "who is not eligible" in decision.members[1].reason

    def test_the_spouse_of_an_undetermined_applicant_is_not_decided_yet(self) -> None:
        decision = decide_eligibility(facts(household=(SPOUSE, CHILD_OF_19), residence=None))
        assert decision.outcome == "undetermined"
        # The adult child is out whatever the applicant's decision: they may apply at once.
        assert [m.settles for m in decision.members] == [None, None, False]
        assert "once the applicant's eligibility is decided" in decision.members[1].reason

    def test_without_a_rules_version_in_force_no_one_is_decided(self) -> None:
        decision = decide_eligibility(facts(household=(SPOUSE,), decision_date=date(2021, 1, 1)))
        assert [(m.settles, m.clause) for m in decision.members] == [(None, "五"), (None, "五")]


class TestTheStudentMovesAlone:
    """二.5: 高校录取的农村籍学生……将户口迁至高校所在地: the student's own registration."""

    def test_a_parent_does_not_move_with_an_admitted_student(self) -> None:
        parent = person("parent", born=date(1970, 1, 1))
        decision = decide_eligibility(facts("rural_student", household=(parent,)))
        assert decision.outcome == "eligible"
        assert settles(decision) == [(0, "applicant", True), (1, "parent", False)]
        assert decision.members[1].clause == "二.5"
        assert "student's own registration" in decision.members[1].reason

    def test_a_graduates_spouse_does_not_move_under_2_5_either(self) -> None:
        graduate = Student(
            stage="graduated",
            college_region_code="440106",
            employment_region_code=facts().destination_region_code,
            origin_hukou_type="rural",
        )
        decision = decide_eligibility(facts("rural_student", student=graduate, household=(SPOUSE,)))
        assert [m.settles for m in decision.members] == [True, False]
