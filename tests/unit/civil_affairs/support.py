"""Facts and parameters for civil affairs' rule tests: a family from Meizhou settling in Wujiang."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from services.civil_affairs.rules import MINIMUM_LIVING_STANDARD, HouseholdFacts
from shared.parameters import Parameter, ParameterSet

DECIDED = date(2019, 6, 1)
WUJIANG = "440203"

NONE = ParameterSet()


def household(
    income: Decimal | None, *, size: int = 3, on: date = DECIDED, region: str = WUJIANG
) -> HouseholdFacts:
    """A household settling in `region` (by default three: the applicant, a spouse, a child)."""
    return HouseholdFacts(
        region_code=region, decision_date=on, household_size=size, monthly_household_income=income
    )


def parameter(value: Any, region: str | None = WUJIANG, **dates: date) -> Parameter:
    return Parameter(
        name=MINIMUM_LIVING_STANDARD,
        value=value,
        unit="yuan/person/month",
        region_code=region,
        valid_from=dates.get("valid_from", date(2019, 1, 1)),
        valid_to=dates.get("valid_to"),
        source="test fixture",
        department="civil_affairs",
    )


def standard(value: Any, region: str | None = WUJIANG, **dates: date) -> ParameterSet:
    return ParameterSet((parameter(value, region, **dates),))
