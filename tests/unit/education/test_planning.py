"""The places settled families need in a county, this school year and next (三(八))."""

from __future__ import annotations

from datetime import date

from services.education.rules import (
    PlacesPlan,
    SettledChild,
    StageBands,
    Undetermined,
    plan_places,
    stage_bands,
)
from shared.parameters import ParameterSet
from tests.support import WUJIANG
from tests.unit.education.support import NATIONAL, START, born_aged


def settled(age: int, year: int, *, decided: date | None = None) -> SettledChild:
    """A child `age` on 2019-09-01 placed for school year `year`, decided on `decided` (by
    default, in October of that school year)."""
    return SettledChild(born_aged(age), year, decided or date(year, 10, 15))


def bands() -> StageBands:
    found = stage_bands(NATIONAL, START, WUJIANG)
    assert isinstance(found, StageBands)
    return found


def planned(
    children: list[SettledChild],
    year: int = 2019,
    *,
    this_year: StageBands | Undetermined | None = None,
) -> PlacesPlan:
    """The plan for 武江区 with the national stage ages (or `this_year`'s bands) both years."""
    return plan_places(
        children,
        county=WUJIANG,
        year=year,
        bands_this_year=this_year or bands(),
        bands_next_year=bands(),
    )


def plan(children: list[SettledChild], year: int = 2019) -> dict[str, tuple[int, int]]:
    return {s.stage: (s.this_year, s.next_year) for s in planned(children, year).stages}


class TestPlanning:
    def test_each_child_counts_in_its_stage_this_year_and_next(self) -> None:
        children = [
            settled(7, 2019),  # primary, then primary
            settled(11, 2019),  # primary, then junior middle
            settled(14, 2018),  # junior middle, then senior high
        ]
        assert plan(children) == {
            "preschool": (0, 0),
            "primary": (2, 1),
            "junior_middle": (1, 1),
            "senior_high": (0, 1),
        }

    def test_a_child_growing_into_preschool_counts_next_year(self) -> None:
        result = planned([settled(2, 2019)])
        preschool = result.stages[0]
        assert (preschool.stage, preschool.this_year, preschool.next_year) == ("preschool", 0, 1)
        assert result.entering_preschool_next_year == 1

    def test_a_child_growing_out_of_senior_high_leaves_next_year(self) -> None:
        result = planned([settled(17, 2019)])
        senior = result.stages[-1]
        assert (senior.stage, senior.this_year, senior.next_year, senior.change) == (
            "senior_high",
            1,
            0,
            -1,
        )
        assert result.leaving_senior_high_next_year == 1

    def test_children_settled_after_the_school_year_are_not_counted(self) -> None:
        children = [settled(7, 2019), settled(8, 2020)]
        assert plan(children)["primary"] == (1, 1)

    def test_children_settled_in_earlier_years_count_at_their_age_now(self) -> None:
        # Placed in preschool in 2016, aged 4 then; 7 on 2019-09-01.
        assert plan([settled(7, 2016)])["primary"] == (1, 1)

    def test_a_year_later_the_same_child_is_a_year_older(self) -> None:
        child = settled(5, 2019)  # 5 on 2019-09-01
        assert plan([child], 2019)["preschool"] == (1, 0)
        assert plan([child], 2020)["primary"] == (1, 1)

    def test_compulsory_places_add_primary_and_junior_middle(self) -> None:
        result = planned(
            [
                settled(5, 2019),
                settled(9, 2019),
                settled(14, 2019),
            ]
        )
        assert result.compulsory() == (2, 2)

    def test_without_stage_ages_the_plan_says_what_is_missing(self) -> None:
        missing = stage_bands(ParameterSet(), START, WUJIANG)
        result = planned([settled(7, 2019)], this_year=missing)
        assert result.stages == ()
        assert any("primary_entry_age" in m for m in result.information_needed)

    def test_a_child_placed_for_next_year_in_this_ones_last_weeks_counts_next_year_only(
        self,
    ) -> None:
        # Decided 2020-08-01, in the last weeks of 2019-2020, placed for 2020-2021: aged 2 on
        # 2019-09-01 and 3 on 2020-09-01, a new preschool place next year.
        result = planned([settled(2, 2020, decided=date(2020, 8, 1))])
        preschool = result.stages[0]
        assert (preschool.this_year, preschool.next_year) == (0, 1)
        assert (result.children_counted, result.entering_preschool_next_year) == (1, 1)

    def test_a_child_placed_for_next_year_is_in_no_stage_this_year(self) -> None:
        # 9 on 2019-09-01, placed for 2020-2021 on 2020-07-20: primary next year only.
        assert plan([settled(9, 2020, decided=date(2020, 7, 20))])["primary"] == (0, 1)

    def test_a_child_decided_once_next_year_has_started_is_not_counted(self) -> None:
        assert planned([settled(9, 2020, decided=date(2020, 9, 1))]).children_counted == 0
