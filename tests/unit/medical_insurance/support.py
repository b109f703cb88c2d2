"""What the medical insurance rule tests share: the decision day, human resources' parameters,
members and their insurance facts, and the origin's confirmation of a transfer."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from services.medical_insurance.rules import (
    ORIGIN_CONFIRMATION_DAYS,
    PRESUME_RURAL_MEMBERS_INSURED,
    EntryDecision,
    Insurance,
    Member,
    Settlement,
    confirm_transfer,
    decide_member,
)
from shared.national import MINIMUM_WORKING_AGE
from shared.parameters import Parameter, ParameterSet
from shared.settlement import SocialInsurance
from tests.support import MEIZHOU, WUJIANG

DECISION_DAY = date(2019, 6, 1)
SHIXING = "440222"  # 始兴县: a Shaoguan county


def parameter(name: str, value: Any, **overrides: Any) -> Parameter:
    """A local parameter human resources set, in force from 2018 unless `overrides` say."""
    fixture = {"valid_from": date(2018, 1, 1), "source": "test fixture"}
    return Parameter(name=name, value=value, department="human_resources", **(fixture | overrides))


def settlement(*parameters: Parameter, on: date = DECISION_DAY) -> Settlement:
    return Settlement(
        decision_date=on,
        destination_region_code=WUJIANG,
        parameters=ParameterSet((*parameters, MINIMUM_WORKING_AGE)),
    )


DAYS_60 = parameter(ORIGIN_CONFIRMATION_DAYS, 60, unit="days")
PRESUME = parameter(PRESUME_RURAL_MEMBERS_INSURED, True)
CONFIGURED = settlement(DAYS_60, PRESUME)


def member(
    relation: str = "applicant",
    *,
    born: date = date(1988, 5, 1),
    region: str = MEIZHOU,
    hukou_type: str = "rural",
    index: int = 0,
) -> Member:
    return Member(
        index=index,
        relation=relation,
        birth_date=born,
        previous_region_code=region,
        previous_hukou_type=hukou_type,
    )


def insured(region: str = MEIZHOU, months: int | None = 30, **more: Any) -> SocialInsurance:
    return SocialInsurance(medical_months=months, insured_region_code=region, **more)


def applicant_entry(facts: SocialInsurance | None, on: Settlement = CONFIGURED) -> EntryDecision:
    return decide_member(member(), facts, on)


# What the department establishes of a member insured in 始兴县, a Shaoguan county.
IN_SHIXING = Insurance(insured=True, region_code=SHIXING, basis="department")


# The origin's confirmation of a transfer whose coverage here began on the decision date.
confirmed = partial(
    confirm_transfer,
    coverage_start=DECISION_DAY,
    months_declared=None,
    origin_scheme=None,
    from_scheme=None,
)
