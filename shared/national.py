"""National law every department applies alike, each value dated and citing its law."""

from __future__ import annotations

from datetime import date

from shared.parameters import national

CIVIL_CODE_17 = "中华人民共和国民法典 第十七条"

AGE_OF_MAJORITY = national(
    "age_of_majority",
    18,
    unit="years",
    # The General Principles of the Civil Law (1987, art. 11) already set 18; the Civil Code
    # took art. 17 over unchanged, so the value holds from 1987 without a gap.
    valid_from=date(1987, 1, 1),
    source=f"national law: PRC Civil Code art. 17 ({CIVIL_CODE_17}: 十八周岁以上的自然人为成年人)",
)

MINIMUM_WORKING_AGE = national(
    "minimum_working_age",
    16,
    unit="years",
    valid_from=date(1995, 1, 1),
    source="national law: PRC Labour Law art. 15 (禁止用人单位招用未满十六周岁的未成年人), "
    "in force 1995-01-01",
)
