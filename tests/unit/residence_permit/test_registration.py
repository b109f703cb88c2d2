"""Residence registration (居住登记) and the registered residence a permit counts (三(九)
完善流动人口居住登记管理; 广东省流动人口服务管理条例 第二条, 第七条): the rules, no I/O."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.residence_permit.rules import (
    GD_ART_2,
    Address,
    Stay,
    refuse_end,
    refuse_move,
    refuse_registration,
    registered_residence,
)
from tests.unit.residence_permit.support import accepted, application, refusal_fields

WUJIANG, ZHENJIANG = "440203", "440204"
BORN = date(1990, 5, 1)


def stay(
    registered_on: date = date(2023, 1, 15),
    *moves: tuple[date, str],
    ended_on: date | None = None,
    registration_id: str = "R-1",
) -> Stay:
    """A registration in 武江区 from `registered_on`, moved on each (day, county) of `moves`."""
    first = Address(registered_on, WUJIANG, "沿江路 1 号")
    moved = (Address(day, county, f"{county} 新址") for day, county in moves)
    addresses = (first, *moved)
    return Stay(registration_id, registered_on, addresses, ended_on)


def refused_field(
    *,
    hukou_region_code: str = "441402",
    registered_on: date = date(2023, 1, 15),
    birth_date: date = BORN,
    previous_ended_on: date | None = None,
) -> str | None:
    """The field a registration is refused on, or None when it is accepted."""
    refusal = refuse_registration(
        hukou_region_code=hukou_region_code,
        registered_on=registered_on,
        birth_date=birth_date,
        previous_ended_on=previous_ended_on,
    )
    return None if refusal is None else refusal.field


class TestWhoIsRegistered:
    """第二条: 流动人口 are 离开常住户口所在地进入本省和在本省行政区域内跨地级以上市居住的人员."""

    @pytest.mark.parametrize("code", ["440281", "440203", "440200"])
    def test_a_household_registration_in_shaoguan_is_refused(self, code: str) -> None:
        refusal = refuse_registration(
            hukou_region_code=code,
            registered_on=date(2023, 1, 15),
            birth_date=BORN,
            previous_ended_on=None,
        )
        assert refusal is not None and refusal.field == "hukou_region_code"
        assert refusal.regulation == GD_ART_2 and "跨地级以上市居住" in refusal.reason

    @pytest.mark.parametrize("code", ["441402", "440106", "110101"], ids=["梅州", "广州", "北京"])
    def test_another_city_of_guangdong_or_another_province_is_registered(self, code: str) -> None:
        assert refused_field(hukou_region_code=code) is None

    def test_residence_begins_on_the_birthday_at_the_earliest(self) -> None:
        assert refused_field(birth_date=date(2023, 1, 15)) is None
        assert refused_field(birth_date=date(2023, 1, 16)) == "registered_on"

    def test_a_new_registration_begins_on_or_after_the_previous_one_ended(self) -> None:
        ended = date(2023, 1, 15)
        assert refused_field(previous_ended_on=ended) is None
        assert refused_field(previous_ended_on=ended + timedelta(days=1)) == "registered_on"


class TestMoveAndEnd:
    """第七条: 居住登记、居住变更登记 by the public security organs."""

    def test_a_move_on_the_day_of_the_last_change_is_accepted_the_day_before_refused(
        self,
    ) -> None:
        moved = stay(date(2023, 1, 15), (date(2023, 3, 1), ZHENJIANG))
        assert (
            refuse_move(moved, moved_on=date(2023, 3, 1), region_code=WUJIANG, address="x") is None
        )
        early = refuse_move(moved, moved_on=date(2023, 2, 28), region_code=WUJIANG, address="x")
        assert early is not None and early.field == "moved_on"

    def test_a_move_to_the_same_address_is_no_move(self) -> None:
        refusal = refuse_move(
            stay(), moved_on=date(2023, 3, 1), region_code=WUJIANG, address="沿江路 1 号"
        )
        assert refusal is not None and refusal.field == "address"

    def test_an_ended_registration_is_not_moved_or_ended_again(self) -> None:
        ended = stay(ended_on=date(2023, 6, 1))
        move = refuse_move(ended, moved_on=date(2023, 7, 1), region_code=ZHENJIANG, address="x")
        again = refuse_end(ended, ended_on=date(2023, 7, 1))
        assert move is not None and move.conflict
        assert again is not None and again.conflict

    def test_an_end_on_the_day_of_the_last_change_is_accepted_the_day_before_refused(
        self,
    ) -> None:
        moved = stay(date(2023, 1, 15), (date(2023, 3, 1), ZHENJIANG))
        assert refuse_end(moved, ended_on=date(2023, 3, 1)) is None
        early = refuse_end(moved, ended_on=date(2023, 2, 28))
        assert early is not None and early.field == "ended_on"


class TestRegisteredResidence:
    def test_in_force_from_the_registration_day_to_the_day_before_it_ended(self) -> None:
        ended = stay(date(2023, 1, 15), ended_on=date(2023, 8, 1))
        assert registered_residence((ended,), date(2023, 1, 14)) is None
        assert registered_residence((ended,), date(2023, 1, 15)) is not None
        assert registered_residence((ended,), date(2023, 7, 31)) is not None
        assert registered_residence((ended,), date(2023, 8, 1)) is None

    def test_a_move_between_counties_keeps_the_start_and_changes_the_county_that_day(
        self,
    ) -> None:
        # 第二条 到其他城市居住半年以上: the half year is in the city, across its counties.
        moved = (stay(date(2023, 1, 15), (date(2023, 5, 1), ZHENJIANG)),)
        before = registered_residence(moved, date(2023, 4, 30))
        on = registered_residence(moved, date(2023, 5, 1))
        assert before is not None and before.region_code == WUJIANG
        assert on is not None and on.region_code == ZHENJIANG
        assert before.since == on.since == date(2023, 1, 15)

    def test_a_registration_begun_the_day_the_last_ended_continues_it_a_day_later_does_not(
        self,
    ) -> None:
        first = stay(date(2022, 1, 1), ended_on=date(2023, 1, 15), registration_id="R-0")
        joined = registered_residence((stay(date(2023, 1, 15)), first), date(2023, 7, 1))
        gap = registered_residence((stay(date(2023, 1, 16)), first), date(2023, 7, 1))
        assert joined is not None and joined.since == date(2022, 1, 1)
        assert joined.registration_id == "R-1"
        assert gap is not None and gap.since == date(2023, 1, 16)


class TestApplicationInAnotherCounty:
    """A permit application counts the registration's half year (第二条) in its county (第十条)."""

    def test_after_a_move_the_permit_is_applied_for_in_the_new_county(self) -> None:
        moved = registered_residence(
            (stay(date(2023, 1, 15), (date(2023, 5, 1), ZHENJIANG)),), date(2023, 7, 15)
        )
        assert accepted(application(registered=moved, region_code=ZHENJIANG))
        assert refusal_fields(application(registered=moved, region_code=WUJIANG)) == ["region_code"]
