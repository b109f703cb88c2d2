"""Education's school year, ages and stages (三(八)): which year a decision falls in, the age
counted at its start, and the stage that age puts a child in."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.education.rules import SCHOOLING_FACT, age_at, school_year_of, school_year_start
from tests.unit.education.support import DECIDED, born_aged, decide, member, only


class TestSchoolYear:
    def test_the_school_year_starts_on_the_first_of_september(self) -> None:
        assert school_year_start(2019) == date(2019, 9, 1)

    @pytest.mark.parametrize(
        ("decided", "year"),
        [
            pytest.param(date(2019, 9, 1), 2019, id="on-1-september-the-year-starting-that-day"),
            pytest.param(date(2019, 8, 31), 2018, id="the-day-before-the-year-in-progress"),
            pytest.param(date(2019, 9, 2), 2019, id="in-the-autumn-the-year-just-started"),
            pytest.param(date(2020, 1, 15), 2019, id="in-the-spring-last-septembers-year"),
            pytest.param(date(2019, 12, 31), 2019, id="on-new-years-eve-that-autumns-year"),
        ],
    )
    def test_a_decision_falls_in_the_year_started_by_the_last_first_of_september(
        self, decided: date, year: int
    ) -> None:
        assert school_year_of(decided) == year

    def test_the_placement_records_the_school_year_of_its_decision(self) -> None:
        before = only(member(date(2012, 3, 3)), decided=date(2019, 8, 31))
        on = only(member(date(2012, 3, 3)), decided=date(2019, 9, 1))
        assert (before.school_year, on.school_year) == (2018, 2019)

    def test_the_school_year_decides_the_age_counted(self) -> None:
        # Turns 6 on 2019-03-01: 5 on 2018-09-01 (preschool), 6 on 2019-09-01 (primary).
        birth = date(2013, 3, 1)
        assert only(member(birth), decided=date(2019, 8, 31)).stage == "preschool"
        assert only(member(birth), decided=date(2019, 9, 1)).stage == "primary"


class TestAges:
    @pytest.mark.parametrize(
        ("birth", "on", "age"),
        [
            pytest.param(date(2016, 9, 1), date(2019, 9, 1), 3, id="on-the-birthday"),
            pytest.param(date(2016, 9, 2), date(2019, 9, 1), 2, id="the-day-before-it"),
            pytest.param(date(2016, 2, 29), date(2019, 2, 28), 2, id="leap-day-not-on-28-feb"),
            pytest.param(date(2016, 2, 29), date(2019, 3, 1), 3, id="leap-day-on-1-march"),
        ],
    )
    def test_age_is_completed_years_and_a_leap_day_birth_ages_on_the_first_of_march(
        self, birth: date, on: date, age: int
    ) -> None:
        assert age_at(birth, on) == age

    def test_a_child_not_yet_born_has_no_age(self) -> None:
        assert age_at(date(2019, 9, 2), date(2019, 9, 1)) is None


class TestStageBoundaries:
    """Age at the school-year start: 3-5 preschool, 6-11 primary, 12-14 junior middle,
    15-17 senior high, 18 and over nothing."""

    @pytest.mark.parametrize(
        ("age", "outcome", "stage"),
        [
            (2, "no_placement", None),
            (3, "placed", "preschool"),
            (5, "placed", "preschool"),
            (6, "placed", "primary"),
            (11, "placed", "primary"),
            (12, "placed", "junior_middle"),
            (14, "placed", "junior_middle"),
            (15, "placed", "senior_high"),
            (17, "placed", "senior_high"),
            (18, "no_placement", None),
        ],
    )
    def test_each_side_of_each_boundary(self, age: int, outcome: str, stage: str | None) -> None:
        placement = only(member(born_aged(age)))
        assert (placement.age_at_start, placement.outcome, placement.stage) == (age, outcome, stage)

    @pytest.mark.parametrize(
        "days", [pytest.param(-1, id="the-day-before"), pytest.param(0, id="on-the-first-day")]
    )
    def test_a_child_turning_three_by_the_first_day_of_the_school_year_is_in_preschool(
        self, days: int
    ) -> None:
        placement = only(member(born_aged(3, days=days)))
        assert (placement.age_at_start, placement.stage) == (3, "preschool")

    def test_a_child_turning_three_the_day_after_waits_a_year_and_is_told_which(self) -> None:
        placement = only(member(born_aged(3, days=1)))
        assert (placement.age_at_start, placement.outcome, placement.stage) == (
            2,
            "no_placement",
            None,
        )
        assert "under 3" in placement.reason
        assert "from the school year starting 2020-09-01" in placement.reason

    def test_a_child_turning_six_on_the_first_day_enters_primary_school(self) -> None:
        assert only(member(born_aged(6))).stage == "primary"
        assert only(member(born_aged(6, days=1))).stage == "preschool"

    def test_a_child_turning_eighteen_on_the_first_day_is_an_adult(self) -> None:
        placement = only(member(born_aged(18)))
        assert placement.outcome == "no_placement"
        assert "adult" in placement.reason
        assert only(member(born_aged(18, days=1))).stage == "senior_high"

    def test_a_child_born_after_the_school_year_started_is_under_three(self) -> None:
        placement = only(member(date(2019, 9, 20)))
        assert placement.age_at_start is None
        assert placement.outcome == "no_placement"
        assert "not yet born" in placement.reason
        assert "2023-09-01" in placement.reason  # 2 on 2022-09-01, 3 a year later

    def test_a_member_born_after_the_decision_is_impossible(self) -> None:
        with pytest.raises(ValueError, match="born after the decision date"):
            decide(member(DECIDED + timedelta(days=1)))


class TestWhoIsPlaced:
    def test_adult_applicant_spouse_and_parent_are_not_listed(self) -> None:
        placements = decide(
            member(date(1988, 5, 1), "applicant", index=0),
            member(date(1990, 2, 2), "spouse", index=1),
            member(date(1960, 1, 1), "parent", index=2),
        )
        assert placements == ()

    def test_a_minor_applicant_is_not_guessed_but_information_is_asked_for(self) -> None:
        placement = only(member(born_aged(17), "applicant", index=0))
        assert placement.outcome == "information_needed"
        assert placement.stage is None
        assert placement.missing == (SCHOOLING_FACT,) == ("schooling.stage",)
        assert "whether they attend school, and at which stage" in placement.reason
        assert placement.notice is None

    def test_a_minor_applicant_said_to_attend_a_stage_is_placed_in_it_with_a_notice(
        self,
    ) -> None:
        applicant = replace(member(born_aged(16), "applicant", index=0), schooling="senior_high")
        placement = only(applicant)
        assert (placement.outcome, placement.stage, placement.missing) == (
            "placed",
            "senior_high",
            (),
        )
        assert "the stage they attend, as stated" in placement.reason
        assert placement.notice is not None
        assert placement.notice.startswith("张小：")  # theirs, not their parents'
        assert placement.transfer is not None  # from 梅州, like any placed member

    def test_a_minor_applicant_said_to_attend_no_school_is_not_placed(self) -> None:
        applicant = replace(member(born_aged(17), "applicant", index=0), schooling="not_in_school")
        placement = only(applicant)
        assert (placement.outcome, placement.stage, placement.notice) == (
            "no_placement",
            None,
            None,
        )
        assert placement.transfer is None
        assert "attends no school" in placement.reason

    def test_what_an_adult_applicant_attends_changes_nothing(self) -> None:
        assert (
            decide(replace(member(date(1988, 5, 1), "applicant", index=0), schooling="primary"))
            == ()
        )

    def test_a_minor_who_is_not_a_child_is_placed_by_age(self) -> None:
        placement = only(member(born_aged(16), "spouse", index=1))
        assert placement.stage == "senior_high"
        assert "a spouse under 18" in placement.reason

    def test_every_child_gets_one_entry_keyed_by_member_index(self) -> None:
        placements = decide(
            member(date(1988, 5, 1), "applicant", index=0),
            member(born_aged(7), index=1),
            member(born_aged(13), index=2),
            member(born_aged(1), index=3),
        )
        assert [p.member_index for p in placements] == [1, 2, 3]
        assert [p.stage for p in placements] == ["primary", "junior_middle", None]
