"""Statutory pension ages (national law) as pure functions of birth date, category and day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from shared.dates import add_months
from shared.parameters import Parameter, national

Category = Literal["male", "female_worker", "female_staff"]
"""Whose pension age: men; women workers (女工人); women staff and cadres (女干部)."""

CATEGORY_WORDS: dict[Category, str] = {
    "male": "men",
    "female_worker": "women workers",
    "female_staff": "women staff",
}


# National law, dated like a local parameter and recorded the same way with a decision.
RETIREMENT_1978 = national(
    "statutory_pension_age.employee",
    "men 60, women workers 50, women staff 55",
    unit=None,
    valid_from=date(1978, 6, 2),
    valid_to=date(2024, 12, 31),
    source="national law: 国务院关于安置老弱病残干部的暂行办法 and 国务院关于工人退休、退职的"
    "暂行办法 (国发〔1978〕104号)",
)

GRADUAL_DELAY_2024 = national(
    "statutory_pension_age.employee",
    "delayed by birth month: men 60 to 63 (one month every 4 months, born from 1965-01), "
    "women workers 50 to 55 (one month every 2 months, born from 1975-01), women staff 55 to "
    "58 (one month every 4 months, born from 1970-01)",
    unit=None,
    valid_from=date(2025, 1, 1),
    source="national law: 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定 "
    "(2024-09-13), 国务院关于渐进式延迟法定退休年龄的办法 art. 1 and its tables",
)

RESIDENT_PENSION_AGE = 60
RESIDENT_SCHEME_2014 = national(
    "statutory_pension_age.urban_rural_resident",
    f"{RESIDENT_PENSION_AGE} for men and women",
    unit=None,
    valid_from=date(2014, 2, 21),
    source="national law: 国务院关于建立统一的城乡居民基本养老保险制度的意见 (国发〔2014〕8号)",
)


@dataclass(frozen=True)
class _Delay:
    """One row of the 2024 decision: who it starts with, how fast it rises, where it stops."""

    original_years: int
    first_birth_year: int
    first_birth_month: int
    birth_months_per_step: int
    most_months: int


_GRADUAL: dict[Category, _Delay] = {
    "male": _Delay(60, 1965, 1, 4, 36),
    "female_worker": _Delay(50, 1975, 1, 2, 60),
    "female_staff": _Delay(55, 1970, 1, 4, 36),
}


@dataclass(frozen=True)
class PensionAge:
    """A statutory pension age for one person, the day they reach it, and the law it comes from."""

    years: int
    months: int
    reached_on: date
    rule: Parameter

    def describe(self) -> str:
        if self.months == 0:
            return f"{self.years}"
        unit = "month" if self.months == 1 else "months"
        return f"{self.years} years {self.months} {unit}"

    def reached_by(self, on: date) -> bool:
        return on >= self.reached_on


def original_pension_age(category: Category) -> int:
    """The age 国发〔1978〕104号 set: men 60, women workers 50, women staff 55."""
    return _GRADUAL[category].original_years


def delayed_pension_age(birth_date: date, category: Category) -> tuple[int, int]:
    """(years, months) under the 2024 decision's schedule, from the birth month alone.

    The first birth month of a category gets one month more; each further step of birth
    months one month more again, up to the cap. Earlier births keep the original age.
    """
    row = _GRADUAL[category]
    elapsed = (birth_date.year - row.first_birth_year) * 12 + (
        birth_date.month - row.first_birth_month
    )
    delay = 0 if elapsed < 0 else min(row.most_months, elapsed // row.birth_months_per_step + 1)
    years, months = divmod(row.original_years * 12 + delay, 12)
    return years, months


def day_reaching(birth_date: date, years: int, months: int = 0) -> date:
    """The day a person born on `birth_date` reaches an age of `years` and `months`.

    The same day of the month; where that month has no such day (a 31st, a 29 February), the
    first day of the next month, as `shared.dates.age_on` counts birthdays.
    """
    reached = add_months(birth_date, years * 12 + months)
    # add_months falls back to the month's last day; a birthday it lacks falls on the next.
    return reached if reached.day == birth_date.day else reached + timedelta(days=1)


def employee_pension_age(birth_date: date, category: Category, on: date) -> PensionAge | None:
    """The urban employees' statutory pension age under the law in force on `on`, or None."""
    if GRADUAL_DELAY_2024.in_force_on(on):
        years, months = delayed_pension_age(birth_date, category)
        rule = GRADUAL_DELAY_2024
    elif RETIREMENT_1978.in_force_on(on):
        years, months = original_pension_age(category), 0
        rule = RETIREMENT_1978
    else:
        return None
    return PensionAge(years, months, day_reaching(birth_date, years, months), rule)


def resident_pension_age(birth_date: date, on: date) -> PensionAge | None:
    """The urban-rural residents' pension age (60 for both sexes) in force on `on`, or None."""
    if not RESIDENT_SCHEME_2014.in_force_on(on):
        return None
    return PensionAge(
        RESIDENT_PENSION_AGE,
        0,
        day_reaching(birth_date, RESIDENT_PENSION_AGE),
        RESIDENT_SCHEME_2014,
    )
