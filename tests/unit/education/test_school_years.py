"""The school year a settlement's children are placed for (三(八) 对进城落户农民子女就学需求做出
准确判断): the one under way on the approval day, or in its last weeks (the local parameter
placement_next_year_weeks) the one starting next."""

from __future__ import annotations

from datetime import date

import pytest

from services.education.rules import (
    NEXT_YEAR_WEEKS,
    Family,
    kept_school_year,
    place_children,
    placement_school_year,
)
from shared.parameters import Parameter
from tests.support import WUJIANG
from tests.unit.education.support import (
    NAMES,
    NATIONAL,
    XINFENG,
    configured,
    local,
    member,
    only,
    with_national,
)

# Turns 6 on 2019-03-01: 5 on 2018-09-01 (preschool in 2018-2019), 6 on 2019-09-01 (primary).
SIX_IN_SPRING = date(2013, 3, 1)


def weeks(
    value: int | str,
    *,
    county: str | None = None,
    valid_from: date = date(2017, 1, 1),
    unit: str = "weeks",
) -> Parameter:
    """placement_next_year_weeks of `county` (None: citywide)."""
    return local(NEXT_YEAR_WEEKS, value, county=county, valid_from=valid_from, unit=unit)


EIGHT_WEEKS = with_national(weeks(8))  # the last 8 weeks of 2018-2019 begin on 2019-07-07


class TestTheSchoolYearUnderWay:
    def test_the_issues_family_lodged_in_august_and_approved_in_september_goes_to_primary(
        self,
    ) -> None:
        # Lodged 2019-08-20, a child six on 2019-06-01: as of lodging, preschool 2018-2019, a
        # school year over by the approval; as of the approval day, primary in 2019-2020.
        six_in_june = member(date(2013, 6, 1))
        lodged = only(six_in_june, decided=date(2019, 8, 20))
        approved = only(six_in_june, decided=date(2019, 9, 5))
        assert (lodged.school_year, lodged.stage) == (2018, "preschool")
        assert (approved.school_year, approved.stage, approved.age_at_start) == (
            2019,
            "primary",
            6,
        )

    def test_without_the_parameter_a_summer_decision_is_for_the_year_under_way_and_says_so(
        self,
    ) -> None:
        placement = only(member(SIX_IN_SPRING), decided=date(2019, 8, 31))
        assert (placement.school_year, placement.stage) == (2018, "preschool")
        assert f"no {NEXT_YEAR_WEEKS} is in force in 440203 that day" in placement.reason
        assert "the school year under way" in placement.reason
        assert "就学需求做出准确判断" in placement.reason

    def test_the_first_of_september_begins_the_next_year_without_the_parameter(self) -> None:
        assert only(member(SIX_IN_SPRING), decided=date(2019, 9, 1)).stage == "primary"

    def test_zero_weeks_keeps_the_year_under_way_to_its_last_day(self) -> None:
        zero = with_national(weeks(0))
        placement = only(member(SIX_IN_SPRING), decided=date(2019, 8, 31), parameters=zero)
        assert placement.school_year == 2018
        assert "before its last weeks (from 2019-09-01" in placement.reason


class TestTheLastWeeks:
    @pytest.mark.parametrize(
        ("decided", "year", "stage"),
        [
            pytest.param(date(2019, 7, 6), 2018, "preschool", id="the-day-before-the-last-weeks"),
            pytest.param(date(2019, 7, 7), 2019, "primary", id="the-first-of-the-last-weeks"),
            pytest.param(date(2019, 8, 31), 2019, "primary", id="the-last-day-of-the-year"),
            pytest.param(date(2019, 9, 1), 2019, "primary", id="the-first-day-of-the-next"),
            pytest.param(date(2020, 7, 6), 2019, "primary", id="the-day-before-the-next-ones"),
            pytest.param(date(2020, 7, 7), 2020, "primary", id="the-next-years-last-weeks"),
        ],
    )
    def test_a_decision_in_the_last_eight_weeks_is_placed_for_the_year_starting_next(
        self, decided: date, year: int, stage: str
    ) -> None:
        placement = only(member(SIX_IN_SPRING), decided=decided, parameters=EIGHT_WEEKS)
        assert (placement.school_year, placement.stage) == (year, stage)

    def test_the_reason_and_the_notice_name_the_year_placed_for_and_the_parameter(self) -> None:
        placement = only(member(SIX_IN_SPRING), decided=date(2019, 7, 20), parameters=EIGHT_WEEKS)
        assert "in its last weeks (from 2019-07-07" in placement.reason
        assert f"{NEXT_YEAR_WEEKS} = 8 weeks" in placement.reason
        assert "source: test fixture" in placement.reason
        assert "placed for the 2019-2020 school year, which starts on 2019-09-01" in (
            placement.reason
        )
        assert placement.notice is not None
        assert "2019年9月1日（2019-2020学年开始）时6周岁" in placement.notice

    def test_the_version_of_the_parameter_used_is_recorded(self) -> None:
        family = Family(WUJIANG, date(2019, 7, 20), (member(SIX_IN_SPRING),))
        decision = place_children(family, EIGHT_WEEKS, region_names=NAMES)
        used = {p["name"]: p for p in decision.parameters_used}
        assert used[NEXT_YEAR_WEEKS]["value"] == 8
        assert decision.school_year == 2019

    def test_a_county_of_its_own_decides_for_that_county_alone(self) -> None:
        xinfeng = with_national(weeks(8, county=XINFENG))
        decided = date(2019, 8, 1)
        child = member(SIX_IN_SPRING)
        assert only(child, decided=decided, county=XINFENG, parameters=xinfeng).stage == "primary"
        assert only(child, decided=decided, county=WUJIANG, parameters=xinfeng).stage == (
            "preschool"
        )

    def test_a_value_not_yet_in_force_on_the_approval_day_is_not_used(self) -> None:
        later = with_national(weeks(8, valid_from=date(2019, 8, 1)))
        assert only(member(SIX_IN_SPRING), decided=date(2019, 7, 31), parameters=later).stage == (
            "preschool"
        )
        assert only(member(SIX_IN_SPRING), decided=date(2019, 8, 1), parameters=later).stage == (
            "primary"
        )

    def test_a_child_too_young_next_year_is_told_the_year_after(self) -> None:
        # Turns 3 on 2020-03-01: 2 on 2019-09-01, 3 on 2020-09-01.
        placement = only(member(date(2017, 3, 1)), decided=date(2019, 8, 1), parameters=EIGHT_WEEKS)
        assert (placement.school_year, placement.outcome) == (2019, "no_placement")
        assert "from the school year starting 2020-09-01" in placement.reason


class TestASettlementKeepsItsSchoolYear:
    def test_a_later_decision_keeps_the_year_the_first_placed_for(self) -> None:
        # First decided with no weeks in force (2018-2019); the weeks recorded since would
        # place for 2019-2020, but the family's school year does not move.
        family = Family(
            WUJIANG,
            date(2019, 8, 20),
            (member(SIX_IN_SPRING),),
            school_year=kept_school_year(2018, ()),
        )
        (placement,) = place_children(family, EIGHT_WEEKS, region_names=NAMES).placements
        assert (placement.school_year, placement.stage) == (2018, "preschool")
        assert "as this settlement's first decision placed its children for" in placement.reason


class TestTheParameter:
    @pytest.mark.parametrize("value", [0, 8, 51])
    def test_whole_weeks_from_zero_to_fifty_one_are_accepted(
        self, monkeypatch: pytest.MonkeyPatch, value: int
    ) -> None:
        loaded = configured(monkeypatch, weeks(value))
        found = loaded.in_force(NEXT_YEAR_WEEKS, date(2019, 7, 1), WUJIANG)
        assert found is not None and found.value == value

    @pytest.mark.parametrize(
        ("parameter", "problem"),
        [
            pytest.param(weeks(-1), "from 0 to 51, not -1", id="negative"),
            pytest.param(weeks(52), "from 0 to 51, not 52", id="a-whole-year"),
            pytest.param(weeks("eight"), "not 'eight'", id="not-a-number"),
            pytest.param(weeks(56, unit="days"), "in weeks, not days", id="in-days"),
        ],
    )
    def test_a_wrong_value_stops_the_start_and_says_why(
        self, monkeypatch: pytest.MonkeyPatch, parameter: Parameter, problem: str
    ) -> None:
        with pytest.raises(ValueError, match=problem):
            configured(monkeypatch, parameter)

    def test_a_wrong_value_the_service_would_not_load_is_refused_by_the_rule_too(self) -> None:
        with pytest.raises(ValueError, match="whole number of weeks"):
            placement_school_year(date(2019, 7, 20), with_national(weeks(-1)), WUJIANG)

    def test_the_national_parameters_ship_no_weeks(self) -> None:
        assert NATIONAL.named(NEXT_YEAR_WEEKS) == []
