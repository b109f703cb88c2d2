"""Calendar arithmetic the rules share: ages in whole years, months and years counted on."""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def age_on(birth_date: date, on: date) -> int:
    """Whole years completed on `on` (周岁); a 29 February birth ages on 1 March in common years."""
    if on < birth_date:
        raise ValueError("the day asked about precedes the birth date")
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months: the corresponding day of the month reached, or that month's
    last day when it has none (Civil Code art. 202), so 31 August + 6 months is the end of
    February."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def anniversary(day: date, years: int) -> date:
    """The day `years` years after `day`; a 29 February's anniversary in a common year is
    1 March, as a birthday is (`age_on`)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def year_end(start: date, years: int) -> date:
    """The last day of the `years`-th year counted from `start`, `start` being its first day."""
    return anniversary(start, years) - timedelta(days=1)


def period(valid_from: date, valid_to: date | None) -> str:
    """A validity period in words, both ends inclusive."""
    if valid_to is None:
        return f"in force from {valid_from.isoformat()} until further notice"
    return f"in force {valid_from.isoformat()} to {valid_to.isoformat()}"
