"""The national values the permit rules use (居住证暂行条例, Civil Code), and date arithmetic.

Every number here is national law, dated and cited; none is a local choice. An operator may
record a later version of any of them (`LUOHU_RESIDENCE_PERMIT_PARAMETERS`): the version that
took effect last wins on a given day.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from shared.parameters import LocalParameter, ParameterSet

CLAUSE = "三(九)"
"""The policy's clause for residence permits: every decision of this service cites it."""

REGULATION = "居住证暂行条例"
ART_2 = f"{REGULATION} 第二条"
ART_9 = f"{REGULATION} 第九条"
ART_10 = f"{REGULATION} 第十条"
ART_12 = f"{REGULATION} 第十二条"
ART_13 = f"{REGULATION} 第十三条"
CIVIL_CODE_17 = "中华人民共和国民法典 第十七条"

# State Council order no. 663, promulgated 2015-11-26, in force from 2016-01-01.
REGULATION_IN_FORCE_FROM = date(2016, 1, 1)
NATIONAL = "State Council (national law)"

MINIMUM_RESIDENCE_MONTHS = "minimum_residence_months"
GUARDIAN_BELOW_AGE = "guardian_below_age"
AGE_OF_MAJORITY = "age_of_majority"
ENDORSEMENT_INTERVAL_YEARS = "endorsement_interval_years"
ENDORSEMENT_WINDOW_MONTHS = "endorsement_window_months"

NATIONAL_PARAMETERS: tuple[LocalParameter, ...] = (
    # 到其他城市居住半年以上: "以上" includes the number itself (Civil Code art. 1259).
    LocalParameter(
        name=MINIMUM_RESIDENCE_MONTHS,
        value=6,
        unit="months",
        valid_from=REGULATION_IN_FORCE_FROM,
        source=f"{ART_2}: 居住半年以上",
        department=NATIONAL,
    ),
    # 未满16周岁的未成年人...可以由其监护人、近亲属代为申领居住证
    LocalParameter(
        name=GUARDIAN_BELOW_AGE,
        value=16,
        unit="years",
        valid_from=REGULATION_IN_FORCE_FROM,
        source=f"{ART_9}: 未满16周岁的未成年人由其监护人、近亲属代为申领",
        department=NATIONAL,
    ),
    # The age from which a person may act for another; the General Principles of the Civil
    # Law (1987, art. 11) already set 18, so the value holds from 1987 without a gap.
    LocalParameter(
        name=AGE_OF_MAJORITY,
        value=18,
        unit="years",
        valid_from=date(1987, 1, 1),
        source=f"{CIVIL_CODE_17}: 十八周岁以上的自然人为成年人",
        department=NATIONAL,
    ),
    # 居住证...每年签注1次
    LocalParameter(
        name=ENDORSEMENT_INTERVAL_YEARS,
        value=1,
        unit="years",
        valid_from=REGULATION_IN_FORCE_FROM,
        source=f"{ART_10}: 每年签注1次",
        department=NATIONAL,
    ),
    # 应当在居住每满1年之日前1个月内...办理签注手续
    LocalParameter(
        name=ENDORSEMENT_WINDOW_MONTHS,
        value=1,
        unit="months",
        valid_from=REGULATION_IN_FORCE_FROM,
        source=f"{ART_10}: 居住每满1年之日前1个月内办理签注",
        department=NATIONAL,
    ),
)


def national_parameters(*recorded: LocalParameter) -> ParameterSet:
    """The shipped national values, with any later versions an operator recorded."""
    return ParameterSet((*NATIONAL_PARAMETERS, *recorded))


def whole(parameter: LocalParameter) -> int:
    """A parameter's value as a whole number (months, years); anything else is a setup error."""
    value = parameter.value
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"parameter {parameter.name} must be a whole number, not {value!r}")
    return int(value)


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
    1 March, as a birthday is (shared.identity.age_on)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def year_end(start: date, years: int) -> date:
    """The last day of the `years`-th year counted from `start`, `start` being its first day."""
    return anniversary(start, years) - timedelta(days=1)


def age_on(birth_date: date, on: date) -> int:
    """Completed years of age (周岁) on `on`; someone born on 29 February ages on 1 March."""
    had_birthday = (on.month, on.day) >= (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (0 if had_birthday else 1)


def is_registered_in_shaoguan(region_code: str) -> bool:
    """Whether a registration lies in Shaoguan (4402xx: the city and any of its counties,
    present or abolished), so the holder is no migrant to the city."""
    return region_code.startswith("4402")
