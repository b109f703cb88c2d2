"""Calendar arithmetic: ages in whole years, months and years counted on, Shaoguan's clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from shared import clock
from shared.dates import add_months, age_on, anniversary, year_end

# -- age -------------------------------------------------------------------------------


def test_age_the_day_before_the_birthday_is_one_less() -> None:
    assert age_on(date(2000, 6, 15), date(2018, 6, 14)) == 17


def test_age_on_the_birthday_counts_the_new_year() -> None:
    assert age_on(date(2000, 6, 15), date(2018, 6, 15)) == 18


def test_age_on_the_day_of_birth_is_zero() -> None:
    assert age_on(date(2000, 6, 15), date(2000, 6, 15)) == 0


def test_leap_day_birth_ages_on_first_of_march_in_common_years() -> None:
    born = date(2004, 2, 29)
    assert age_on(born, date(2022, 2, 28)) == 17
    assert age_on(born, date(2022, 3, 1)) == 18


def test_leap_day_birth_ages_on_leap_day_in_leap_years() -> None:
    born = date(2004, 2, 29)
    assert age_on(born, date(2024, 2, 28)) == 19
    assert age_on(born, date(2024, 2, 29)) == 20


def test_age_before_birth_is_refused() -> None:
    with pytest.raises(ValueError):
        age_on(date(2000, 6, 15), date(2000, 6, 14))


# -- months and years -----------------------------------------------------------------


def test_a_month_on_from_the_31st_ends_on_the_last_day_of_a_short_month() -> None:
    assert add_months(date(2019, 8, 31), 6) == date(2020, 2, 29)
    assert add_months(date(2019, 1, 31), 1) == date(2019, 2, 28)


def test_months_count_back_across_a_year() -> None:
    assert add_months(date(2020, 1, 15), -2) == date(2019, 11, 15)


def test_a_leap_day_anniversary_in_a_common_year_is_the_first_of_march() -> None:
    assert anniversary(date(2020, 2, 29), 1) == date(2021, 3, 1)
    assert anniversary(date(2020, 2, 29), 4) == date(2024, 2, 29)


def test_a_year_counted_from_its_first_day_ends_the_day_before_the_anniversary() -> None:
    assert year_end(date(2019, 6, 1), 1) == date(2020, 5, 31)


# -- the clock ------------------------------------------------------------------------


def test_at_five_in_the_afternoon_utc_it_is_already_tomorrow_in_shaoguan() -> None:
    with time_machine.travel(datetime(2026, 12, 1, 17, 0, tzinfo=UTC), tick=False):
        assert clock.today() == date(2026, 12, 2)
        assert clock.now().date() == date(2026, 12, 1)


def test_before_eight_in_the_morning_shaoguan_time_utc_and_shaoguan_agree() -> None:
    with time_machine.travel(datetime(2026, 12, 1, 15, 59, tzinfo=UTC), tick=False):
        assert clock.today() == date(2026, 12, 1)


def test_an_instant_has_the_date_of_shaoguan() -> None:
    assert clock.local_date(datetime(2019, 5, 31, 16, 0, tzinfo=UTC)) == date(2019, 6, 1)
    with pytest.raises(ValueError, match="time zone"):
        clock.local_date(datetime(2019, 5, 31, 16, 0))


def test_a_day_in_shaoguan_begins_at_four_in_the_afternoon_utc_the_day_before() -> None:
    assert clock.day_start(date(2020, 1, 1)) == datetime(2019, 12, 31, 16, 0, tzinfo=UTC)


def test_the_zone_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUOHU_TIMEZONE", "UTC")
    clock.zone.cache_clear()
    try:
        with time_machine.travel(datetime(2026, 12, 1, 17, 0, tzinfo=UTC), tick=False):
            assert clock.today() == date(2026, 12, 1)
    finally:
        monkeypatch.undo()
        clock.zone.cache_clear()


def test_an_unknown_zone_is_refused_naming_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUOHU_TIMEZONE", "Mars/Olympus_Mons")
    clock.zone.cache_clear()
    try:
        with pytest.raises(ValueError, match="LUOHU_TIMEZONE"):
            clock.zone()
    finally:
        monkeypatch.undo()
        clock.zone.cache_clear()
