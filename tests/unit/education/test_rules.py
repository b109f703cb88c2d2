"""Unit tests of education's rules under 三(八): school year, ages, stages, placements, planning."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.education.config import EducationSettings
from services.education.rules import (
    CLAUSE,
    NATIONAL_PARAMETERS,
    PRIMARY_ENTRY_AGE,
    SENIOR_HIGH_ENTRY_AGE,
    Family,
    Member,
    Placement,
    SettledChild,
    StageBands,
    Undetermined,
    age_at,
    place_children,
    plan_places,
    school_year_of,
    school_year_start,
    stage_bands,
)
from shared.parameters import LocalParameter, ParameterSet

WUJIANG, XINFENG = "440203", "440233"
MEIJIANG = "441402"  # a previous registration outside Shaoguan
NAMES = {WUJIANG: "韶关市武江区", XINFENG: "韶关市新丰县", MEIJIANG: "广东省梅州市梅江区"}
NATIONAL = ParameterSet(NATIONAL_PARAMETERS)
# A decision in the 2019-2020 school year, which starts on 2019-09-01.
DECIDED = date(2019, 10, 15)
START = date(2019, 9, 1)


def born_aged(years: int, *, days: int = 0, on: date = START) -> date:
    """The birth date of someone who turns `years` on `on` shifted by `days` (+: later)."""
    return on.replace(year=on.year - years) + timedelta(days=days)


def member(
    birth: date, relation: str = "child", *, index: int = 2, previous: str = MEIJIANG
) -> Member:
    return Member(
        index=index, name="张小", relation=relation, birth_date=birth, previous_region_code=previous
    )


def decide(
    *members: Member,
    decided: date = DECIDED,
    county: str = WUJIANG,
    parameters: ParameterSet = NATIONAL,
) -> tuple[Placement, ...]:
    family = Family(destination_region_code=county, decision_date=decided, members=members)
    return place_children(family, parameters, region_names=NAMES).placements


def only(*members: Member, **kwargs: object) -> Placement:
    (placement,) = decide(*members, **kwargs)  # type: ignore[arg-type]
    return placement


class TestSchoolYear:
    def test_the_school_year_starts_on_the_first_of_september(self) -> None:
        assert school_year_start(2019) == date(2019, 9, 1)

    def test_a_decision_on_the_first_of_september_falls_in_the_year_starting_that_day(
        self,
    ) -> None:
        assert school_year_of(date(2019, 9, 1)) == 2019

    def test_a_decision_the_day_before_falls_in_the_year_in_progress(self) -> None:
        assert school_year_of(date(2019, 8, 31)) == 2018

    def test_a_decision_in_the_autumn_falls_in_the_year_just_started(self) -> None:
        assert school_year_of(date(2019, 9, 2)) == 2019

    def test_a_decision_in_the_spring_falls_in_the_year_that_started_last_september(
        self,
    ) -> None:
        assert school_year_of(date(2020, 1, 15)) == 2019

    def test_a_decision_on_new_years_eve_falls_in_that_autumns_year(self) -> None:
        assert school_year_of(date(2019, 12, 31)) == 2019

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
    def test_age_is_completed_years_on_the_day(self) -> None:
        assert age_at(date(2016, 9, 1), date(2019, 9, 1)) == 3
        assert age_at(date(2016, 9, 2), date(2019, 9, 1)) == 2

    def test_a_child_not_yet_born_has_no_age(self) -> None:
        assert age_at(date(2019, 9, 2), date(2019, 9, 1)) is None

    def test_a_leap_day_birth_ages_on_the_first_of_march(self) -> None:
        assert age_at(date(2016, 2, 29), date(2019, 2, 28)) == 2
        assert age_at(date(2016, 2, 29), date(2019, 3, 1)) == 3


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

    def test_a_child_turning_three_the_day_before_the_school_year_is_in_preschool(self) -> None:
        placement = only(member(born_aged(3, days=-1)))
        assert (placement.age_at_start, placement.stage) == (3, "preschool")

    def test_a_child_turning_three_on_the_first_day_of_the_school_year_is_in_preschool(
        self,
    ) -> None:
        placement = only(member(born_aged(3)))
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
        assert placement.missing == ("whether the applicant attends school, and at which stage",)

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


class TestPlacement:
    def test_a_placement_is_in_the_destination_county_on_local_terms_citing_three_eight(
        self,
    ) -> None:
        placement = only(member(born_aged(7)))
        assert placement.county == WUJIANG
        assert placement.clause == CLAUSE == "三(八)"
        assert "same terms as local children (同城同待遇)" in placement.reason
        assert "韶关市武江区" in placement.reason
        assert "Compulsory Education Law art. 11" in placement.reason

    def test_the_notice_names_stage_county_and_what_to_bring(self) -> None:
        notice = only(member(born_aged(7))).notice
        assert notice is not None
        assert "韶关市武江区小学学位安排" in notice
        assert "同城同待遇" in notice
        for document in ("户口簿", "出生医学证明", "预防接种证"):
            assert document in notice
        assert "2019年9月1日" in notice
        assert "7周岁" in notice

    def test_a_preschool_notice_speaks_of_kindergarten(self) -> None:
        notice = only(member(born_aged(4))).notice
        assert notice is not None
        assert "幼儿园学位安排" in notice
        assert "入园" in notice

    def test_no_notice_without_a_placement(self) -> None:
        assert only(member(born_aged(1))).notice is None
        assert only(member(born_aged(20))).notice is None

    def test_the_decision_records_the_parameter_versions_it_used(self) -> None:
        family = Family(WUJIANG, DECIDED, (member(born_aged(7)),))
        decision = place_children(family, NATIONAL, region_names=NAMES)
        names = [p["name"] for p in decision.parameters_used]
        assert names[0] == "school_year_start"
        assert PRIMARY_ENTRY_AGE in names
        assert all(p["source"] for p in decision.parameters_used)


class TestStudentTransfers:
    @pytest.mark.parametrize("age", [6, 12, 15, 17])
    def test_school_age_children_get_a_requested_transfer_from_their_previous_region(
        self, age: int
    ) -> None:
        transfer = only(member(born_aged(age))).transfer
        assert transfer is not None
        assert (transfer.from_region_code, transfer.to_region_code) == (MEIJIANG, WUJIANG)
        assert transfer.clause == "三(八)"

    def test_preschool_children_have_no_student_status_to_transfer(self) -> None:
        assert only(member(born_aged(4))).transfer is None

    def test_no_transfer_when_the_previous_registration_is_the_destination_county(self) -> None:
        assert only(member(born_aged(8), previous=WUJIANG)).transfer is None

    def test_a_move_between_shaoguan_counties_is_a_transfer(self) -> None:
        transfer = only(member(born_aged(8), previous=XINFENG)).transfer
        assert transfer is not None
        assert transfer.from_region_code == XINFENG

    def test_the_notice_mentions_the_transfer(self) -> None:
        notice = only(member(born_aged(8))).notice
        assert notice is not None
        assert "学籍转接" in notice
        assert "广东省梅州市梅江区" in notice


class TestSummary:
    def test_the_summary_counts_without_names_or_identity_numbers(self) -> None:
        family = Family(
            WUJIANG,
            DECIDED,
            (
                member(date(1988, 5, 1), "applicant", index=0),
                member(born_aged(7), index=1),
                member(born_aged(1), index=2),
            ),
        )
        summary = place_children(family, NATIONAL, region_names=NAMES).summary()
        assert summary == (
            "三(八) school year 2019-2020 in 440203: 1 placed (primary 1); 1 not placed; "
            "student-status transfers requested: 1"
        )
        assert "张" not in summary


def local(name: str, value: int, *, county: str | None, valid_from: date) -> LocalParameter:
    return LocalParameter(
        name=name,
        value=value,
        unit="years",
        region_code=county,
        valid_from=valid_from,
        source="test fixture",
        department="education",
    )


class TestParameters:
    def test_a_county_deferring_primary_entry_to_seven_keeps_a_six_year_old_in_preschool(
        self,
    ) -> None:
        deferred = ParameterSet(
            (*NATIONAL_PARAMETERS, local(PRIMARY_ENTRY_AGE, 7, county=XINFENG, valid_from=START))
        )
        six = member(born_aged(6))
        assert only(six, county=XINFENG, parameters=deferred).stage == "preschool"
        assert only(six, county=WUJIANG, parameters=deferred).stage == "primary"

    def test_the_deferral_is_recorded_as_the_version_used(self) -> None:
        deferred = ParameterSet(
            (*NATIONAL_PARAMETERS, local(PRIMARY_ENTRY_AGE, 7, county=XINFENG, valid_from=START))
        )
        family = Family(XINFENG, DECIDED, (member(born_aged(6)),))
        decision = place_children(family, deferred, region_names=NAMES)
        used = {p["name"]: p for p in decision.parameters_used}
        assert used[PRIMARY_ENTRY_AGE]["value"] == 7
        assert used[PRIMARY_ENTRY_AGE]["source"] == "test fixture"

    def test_a_local_value_not_yet_in_force_is_not_used(self) -> None:
        later = ParameterSet(
            (
                *NATIONAL_PARAMETERS,
                local(PRIMARY_ENTRY_AGE, 7, county=XINFENG, valid_from=date(2020, 1, 1)),
            )
        )
        assert only(member(born_aged(6)), county=XINFENG, parameters=later).stage == "primary"

    def test_configured_parameters_join_the_national_ones(self) -> None:
        deferral = local(PRIMARY_ENTRY_AGE, 7, county=XINFENG, valid_from=START)
        configured = EducationSettings(parameters=f"[{deferral.model_dump_json()}]")
        parameters = configured.parameter_set()
        assert parameters.in_force(PRIMARY_ENTRY_AGE, START, XINFENG) == deferral
        assert parameters.in_force(PRIMARY_ENTRY_AGE, START, WUJIANG) in NATIONAL_PARAMETERS

    def test_the_school_year_start_cannot_be_configured(self) -> None:
        start = LocalParameter(
            name="school_year_start",
            value="08-31",
            valid_from=START,
            source="test fixture",
            department="education",
        )
        with pytest.raises(ValueError, match="cannot be configured"):
            EducationSettings(parameters=f"[{start.model_dump_json()}]").parameter_set()

    def test_without_the_stage_ages_each_child_needs_information_naming_them(self) -> None:
        placement = only(member(born_aged(7)), parameters=ParameterSet())
        assert placement.outcome == "information_needed"
        assert any("primary_entry_age" in m for m in placement.missing)

    def test_stage_ages_that_do_not_rise_are_not_applied(self) -> None:
        muddled = ParameterSet(
            (*NATIONAL_PARAMETERS, local(SENIOR_HIGH_ENTRY_AGE, 11, county=None, valid_from=START))
        )
        bands = stage_bands(muddled, START, WUJIANG)
        assert isinstance(bands, Undetermined)
        assert "do not rise" in bands.reason


def bands() -> StageBands:
    found = stage_bands(NATIONAL, START, WUJIANG)
    assert isinstance(found, StageBands)
    return found


def plan(children: list[SettledChild], year: int = 2019) -> dict[str, tuple[int, int]]:
    result = plan_places(
        children,
        county=WUJIANG,
        year=year,
        bands_this_year=bands(),
        bands_next_year=bands(),
    )
    return {s.stage: (s.this_year, s.next_year) for s in result.stages}


class TestPlanning:
    def test_each_child_counts_in_its_stage_this_year_and_next(self) -> None:
        children = [
            SettledChild(born_aged(7), 2019),  # primary, then primary
            SettledChild(born_aged(11), 2019),  # primary, then junior middle
            SettledChild(born_aged(14), 2018),  # junior middle, then senior high
        ]
        assert plan(children) == {
            "preschool": (0, 0),
            "primary": (2, 1),
            "junior_middle": (1, 1),
            "senior_high": (0, 1),
        }

    def test_a_child_growing_into_preschool_counts_next_year(self) -> None:
        result = plan_places(
            [SettledChild(born_aged(2), 2019)],
            county=WUJIANG,
            year=2019,
            bands_this_year=bands(),
            bands_next_year=bands(),
        )
        preschool = result.stages[0]
        assert (preschool.stage, preschool.this_year, preschool.next_year) == ("preschool", 0, 1)
        assert result.entering_preschool_next_year == 1

    def test_a_child_growing_out_of_senior_high_leaves_next_year(self) -> None:
        result = plan_places(
            [SettledChild(born_aged(17), 2019)],
            county=WUJIANG,
            year=2019,
            bands_this_year=bands(),
            bands_next_year=bands(),
        )
        senior = result.stages[-1]
        assert (senior.stage, senior.this_year, senior.next_year, senior.change) == (
            "senior_high",
            1,
            0,
            -1,
        )
        assert result.leaving_senior_high_next_year == 1

    def test_children_settled_after_the_school_year_are_not_counted(self) -> None:
        children = [SettledChild(born_aged(7), 2019), SettledChild(born_aged(8), 2020)]
        assert plan(children)["primary"] == (1, 1)

    def test_children_settled_in_earlier_years_count_at_their_age_now(self) -> None:
        # Placed in preschool in 2016, aged 4 then; 7 on 2019-09-01.
        assert plan([SettledChild(born_aged(7), 2016)])["primary"] == (1, 1)

    def test_a_year_later_the_same_child_is_a_year_older(self) -> None:
        child = SettledChild(born_aged(5), 2019)  # 5 on 2019-09-01
        assert plan([child], 2019)["preschool"] == (1, 0)
        assert plan([child], 2020)["primary"] == (1, 1)

    def test_compulsory_places_add_primary_and_junior_middle(self) -> None:
        result = plan_places(
            [
                SettledChild(born_aged(5), 2019),
                SettledChild(born_aged(9), 2019),
                SettledChild(born_aged(14), 2019),
            ],
            county=WUJIANG,
            year=2019,
            bands_this_year=bands(),
            bands_next_year=bands(),
        )
        assert result.compulsory() == (2, 2)

    def test_without_stage_ages_the_plan_says_what_is_missing(self) -> None:
        missing = stage_bands(ParameterSet(), START, WUJIANG)
        result = plan_places(
            [SettledChild(born_aged(7), 2019)],
            county=WUJIANG,
            year=2019,
            bands_this_year=missing,
            bands_next_year=bands(),
        )
        assert result.stages == ()
        assert any("primary_entry_age" in m for m in result.information_needed)
