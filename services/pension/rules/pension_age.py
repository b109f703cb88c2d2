"""Statutory pension ages (national law) as pure functions of birth date, category and day."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

Category = Literal["male", "female_worker", "female_staff"]
"""Whose pension age: men; women workers (女工人); women staff and cadres (女干部)."""

CATEGORY_WORDS: dict[Category, str] = {
    "male": "men",
    "female_worker": "women workers",
    "female_staff": "women staff",
}


@dataclass(frozen=True)
class NationalRule:
    """A value national law sets (not the city), dated like a local parameter, with its law."""

    name: str
    value: str
    valid_from: date
    valid_to: date | None
    source: str

    def in_force_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def reference(self) -> dict[str, Any]:
        """What a decision records of the rule it used (the shape of a local parameter's)."""
        return {
            "name": self.name,
            "value": self.value,
            "region_code": None,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "source": self.source,
        }


AGE_OF_MAJORITY = 18
MAJORITY = NationalRule(
    name="age_of_majority",
    value=str(AGE_OF_MAJORITY),
    # The General Principles of the Civil Law (1987, art. 11) already set 18; the Civil Code
    # took it over unchanged, so the value holds from 1987 without a gap.
    valid_from=date(1987, 1, 1),
    valid_to=None,
    source="national law: PRC Civil Code art. 17 (General Principles of the Civil Law art. 11)",
)

RETIREMENT_1978 = NationalRule(
    name="statutory_pension_age.employee",
    value="men 60, women workers 50, women staff 55",
    valid_from=date(1978, 6, 2),
    valid_to=date(2024, 12, 31),
    source="national law: 国务院关于安置老弱病残干部的暂行办法 and 国务院关于工人退休、退职的"
    "暂行办法 (国发〔1978〕104号)",
)

GRADUAL_DELAY_2024 = NationalRule(
    name="statutory_pension_age.employee",
    value="delayed by birth month: men 60 to 63 (one month every 4 months, born from 1965-01), "
    "women workers 50 to 55 (one month every 2 months, born from 1975-01), women staff 55 to "
    "58 (one month every 4 months, born from 1970-01)",
    valid_from=date(2025, 1, 1),
    valid_to=None,
    source="national law: 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定 "
    "(2024-09-13), 国务院关于渐进式延迟法定退休年龄的办法 art. 1 and its tables",
)

RESIDENT_PENSION_AGE = 60
RESIDENT_SCHEME_2014 = NationalRule(
    name="statutory_pension_age.urban_rural_resident",
    value=f"{RESIDENT_PENSION_AGE} for men and women",
    valid_from=date(2014, 2, 21),
    valid_to=None,
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
    rule: NationalRule

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
    first day of the next month, as `shared.identity.age_on` counts birthdays.
    """
    total = birth_date.year * 12 + (birth_date.month - 1) + years * 12 + months
    year, month_index = divmod(total, 12)
    month = month_index + 1
    if birth_date.day <= calendar.monthrange(year, month)[1]:
        return date(year, month, birth_date.day)
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


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
