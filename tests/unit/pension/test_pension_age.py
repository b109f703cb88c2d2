"""The statutory pension ages (national law) at the edges of their schedules and dates."""

from __future__ import annotations

from datetime import date

import pytest

from services.pension.rules.pension_age import (
    GRADUAL_DELAY_2024,
    RESIDENT_SCHEME_2014,
    RETIREMENT_1978,
    Category,
    day_reaching,
    delayed_pension_age,
    employee_pension_age,
    original_pension_age,
    resident_pension_age,
)


class TestTheGradualDelaySchedule:
    """全国人大常委会关于实施渐进式延迟法定退休年龄的决定 (2024-09-13), by birth month."""

    @pytest.mark.parametrize(
        ("born", "category", "expected"),
        [
            # men: 60, one month more every 4 birth months from 1965-01, up to 63
            (date(1964, 12, 31), "male", (60, 0)),
            (date(1965, 1, 1), "male", (60, 1)),
            (date(1965, 4, 30), "male", (60, 1)),
            (date(1965, 5, 1), "male", (60, 2)),
            (date(1976, 8, 31), "male", (62, 11)),
            (date(1976, 9, 1), "male", (63, 0)),
            (date(1990, 1, 1), "male", (63, 0)),
            # women workers: 50, one month more every 2 birth months from 1975-01, up to 55
            (date(1974, 12, 31), "female_worker", (50, 0)),
            (date(1975, 1, 1), "female_worker", (50, 1)),
            (date(1975, 2, 28), "female_worker", (50, 1)),
            (date(1975, 3, 1), "female_worker", (50, 2)),
            (date(1984, 10, 31), "female_worker", (54, 11)),
            (date(1984, 11, 1), "female_worker", (55, 0)),
            (date(1995, 6, 1), "female_worker", (55, 0)),
            # women staff: 55, one month more every 4 birth months from 1970-01, up to 58
            (date(1969, 12, 31), "female_staff", (55, 0)),
            (date(1970, 1, 1), "female_staff", (55, 1)),
            (date(1970, 5, 1), "female_staff", (55, 2)),
            (date(1981, 8, 31), "female_staff", (57, 11)),
            (date(1981, 9, 1), "female_staff", (58, 0)),
        ],
    )
    def test_the_pension_age_follows_the_birth_month(
        self, born: date, category: Category, expected: tuple[int, int]
    ) -> None:
        assert delayed_pension_age(born, category) == expected

    def test_births_before_the_schedule_keep_the_1978_ages(self) -> None:
        assert original_pension_age("male") == 60
        assert original_pension_age("female_worker") == 50
        assert original_pension_age("female_staff") == 55
        assert delayed_pension_age(date(1950, 1, 1), "female_worker") == (50, 0)


class TestTheDayAnAgeIsReached:
    def test_the_same_day_of_the_month(self) -> None:
        assert day_reaching(date(1965, 1, 15), 60, 1) == date(2025, 2, 15)

    def test_a_day_the_month_lacks_moves_to_the_first_of_the_next(self) -> None:
        assert day_reaching(date(1965, 1, 31), 60, 1) == date(2025, 3, 1)
        assert day_reaching(date(1972, 2, 29), 50) == date(2022, 3, 1)

    def test_a_29_february_birth_reaches_it_on_29_february_in_a_leap_year(self) -> None:
        assert day_reaching(date(1964, 2, 29), 60) == date(2024, 2, 29)

    def test_december_rolls_into_the_next_year(self) -> None:
        assert day_reaching(date(1964, 12, 15), 60, 1) == date(2025, 1, 15)


class TestTheLawInForceOnTheDecisionDate:
    def test_the_1978_ages_apply_until_the_end_of_2024(self) -> None:
        age = employee_pension_age(date(1965, 3, 1), "male", date(2024, 12, 31))

        assert age is not None
        assert (age.years, age.months, age.rule) == (60, 0, RETIREMENT_1978)

    def test_the_gradual_delay_applies_from_2025(self) -> None:
        age = employee_pension_age(date(1965, 3, 1), "male", date(2025, 1, 1))

        assert age is not None
        assert (age.years, age.months, age.rule) == (60, 1, GRADUAL_DELAY_2024)
        assert age.describe() == "60 years 1 month"
        assert age.reached_on == date(2025, 4, 1)

    def test_a_man_born_in_january_1965_reaches_it_a_month_after_his_60th_birthday(
        self,
    ) -> None:
        born = date(1965, 1, 15)

        on_birthday = employee_pension_age(born, "male", date(2025, 1, 15))
        assert on_birthday is not None
        assert not on_birthday.reached_by(date(2025, 2, 14))
        assert on_birthday.reached_by(date(2025, 2, 15))

    def test_a_man_born_in_december_1964_reached_60_under_either_law(self) -> None:
        born = date(1964, 12, 15)
        before = employee_pension_age(born, "male", date(2024, 12, 15))
        after = employee_pension_age(born, "male", date(2025, 1, 10))

        assert before is not None and after is not None
        assert before.reached_on == after.reached_on == date(2024, 12, 15)
        assert before.reached_by(date(2024, 12, 15))

    def test_no_employee_age_is_recorded_before_1978(self) -> None:
        assert employee_pension_age(date(1920, 1, 1), "male", date(1978, 6, 1)) is None

    def test_the_residents_pension_age_is_60_for_women_and_men(self) -> None:
        age = resident_pension_age(date(1960, 7, 1), date(2019, 6, 1))

        assert age is not None
        assert (age.years, age.months, age.rule) == (60, 0, RESIDENT_SCHEME_2014)
        assert age.reached_on == date(2020, 7, 1)

    def test_no_residents_pension_age_is_recorded_before_the_2014_scheme(self) -> None:
        assert resident_pension_age(date(1950, 1, 1), date(2014, 2, 20)) is None

    def test_a_rule_cites_its_law_and_dates(self) -> None:
        reference = GRADUAL_DELAY_2024.reference()

        assert reference["valid_from"] == "2025-01-01"
        assert "2024-09-13" in reference["source"]
