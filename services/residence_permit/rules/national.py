"""The national values the permit rules use (居住证暂行条例, Civil Code), dated and cited.

Every number here is national law; none is a local choice, so the service knows no local
parameter. A value recorded in `LUOHU_RESIDENCE_PERMIT_PARAMETERS` (with its source and
department) is a later version of one of them, e.g. an amendment of the regulations: it applies
from its own `valid_from`, the version that took effect last wins on a given day, and decisions
record which version they used. Calendar arithmetic is the platform's (`shared.dates`).
"""

from __future__ import annotations

from datetime import date

from shared.national import AGE_OF_MAJORITY
from shared.parameters import Parameter, ParameterSet, ParameterSource, national

CLAUSE = "三(九)"
"""The policy's clause for residence permits: every decision of this service cites it."""

REGULATION = "居住证暂行条例"
ART_2 = f"{REGULATION} 第二条"
ART_9 = f"{REGULATION} 第九条"
ART_10 = f"{REGULATION} 第十条"
ART_12 = f"{REGULATION} 第十二条"
ART_13 = f"{REGULATION} 第十三条"

# State Council order no. 663, promulgated 2015-11-26, in force from 2016-01-01.
REGULATION_IN_FORCE_FROM = date(2016, 1, 1)

MINIMUM_RESIDENCE_MONTHS = "minimum_residence_months"
GUARDIAN_BELOW_AGE = "guardian_below_age"
ENDORSEMENT_INTERVAL_YEARS = "endorsement_interval_years"
ENDORSEMENT_WINDOW_MONTHS = "endorsement_window_months"


def _regulation(name: str, value: int, unit: str, source: str) -> Parameter:
    return national(name, value, unit=unit, valid_from=REGULATION_IN_FORCE_FROM, source=source)


NATIONAL_PARAMETERS: tuple[Parameter, ...] = (
    # 到其他城市居住半年以上: "以上" includes the number itself (Civil Code art. 1259).
    _regulation(MINIMUM_RESIDENCE_MONTHS, 6, "months", f"{ART_2}: 居住半年以上"),
    # 未满16周岁的未成年人...可以由其监护人、近亲属代为申领居住证
    _regulation(
        GUARDIAN_BELOW_AGE, 16, "years", f"{ART_9}: 未满16周岁的未成年人由其监护人、近亲属代为申领"
    ),
    # The age from which a person may act for another (a guardian applying for a minor).
    AGE_OF_MAJORITY,
    # 居住证...每年签注1次
    _regulation(ENDORSEMENT_INTERVAL_YEARS, 1, "years", f"{ART_10}: 每年签注1次"),
    # 应当在居住每满1年之日前1个月内...办理签注手续
    _regulation(
        ENDORSEMENT_WINDOW_MONTHS, 1, "months", f"{ART_10}: 居住每满1年之日前1个月内办理签注"
    ),
)


PARAMETERS = ParameterSource(service="residence_permit", national=NATIONAL_PARAMETERS)
"""The parameters the permit rules know: the national values, and the later versions recorded."""


def national_parameters(*recorded: Parameter) -> ParameterSet:
    """The shipped national values, with any later versions an operator recorded."""
    return ParameterSet((*NATIONAL_PARAMETERS, *recorded))


def whole(parameter: Parameter) -> int:
    """A parameter's value as a whole number (months, years); anything else is a setup error."""
    value = parameter.value
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"parameter {parameter.name} must be a whole number, not {value!r}")
    return int(value)
