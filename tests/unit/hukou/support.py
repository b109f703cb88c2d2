"""The facts the hukou rule tests start from: an eligible application on any channel, changed as
a test needs, and ways to pick the checks a test reads."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date
from typing import Any

from services.hukou.domain import (
    ApplicationFacts,
    Person,
    Residence,
    SocialInsurance,
    Student,
    Talent,
)
from shared.rules import Check
from tests.support import WUJIANG

DECISION_DAY = date(2019, 6, 1)
DESTINATION = WUJIANG  # 武江区
OTHER_COUNTY = "440204"  # 浈江区
ORIGIN = "440281"  # 乐昌市: the applicant's rural registration
CHANNELS = (
    "stable_residence",
    "insured_one_year",
    "talent",
    "rural_student",
    "collective_household",
)

_sequence = itertools.count(1)


def person(relation: str = "applicant", *, born: date = date(1990, 1, 1), **changes: Any) -> Person:
    """A person with a fresh 18-character identity number (the rules do not validate it)."""
    base = Person(
        id_number=f"{ORIGIN}{born:%Y%m%d}{next(_sequence):03d}X",
        name="测试",
        birth_date=born,
        sex="female",
        relation=relation,
        hukou_region_code=ORIGIN,
        hukou_type="rural",
    )
    return replace(base, **changes)


def facts(channel: str = "stable_residence", **changes: Any) -> ApplicationFacts:
    """Facts that make an eligible application on `channel`, changed as a test needs."""
    base = ApplicationFacts(
        channel=channel,  # type: ignore[arg-type]  # tests pass any channel, as input may
        destination_region_code=DESTINATION,
        decision_date=DECISION_DAY,
        applicant=person(),
        residence=Residence(
            address="武江区某路1号",
            # A collective household is a tenure of its own channel (二.6); renting suits the rest.
            tenure="employer_collective" if channel == "collective_household" else "rented",
            since=date(2016, 1, 1),
            region_code=DESTINATION,
        ),
        social_insurance=SocialInsurance(
            pension_months=14,
            medical_months=14,
            insured_region_code=DESTINATION,
            employer_paid=True,
        ),
        talent=Talent(category="college_graduate", evidence="毕业证书 10559120190600123"),
        student=Student(stage="admitted", college_region_code=DESTINATION),
    )
    return replace(base, **changes)


def with_residence(**changes: Any) -> Residence:
    base = facts().residence
    assert base is not None
    return replace(base, **changes)


def with_insurance(**changes: Any) -> SocialInsurance:
    base = facts().social_insurance
    assert base is not None
    return replace(base, **changes)


def only(checks: tuple[Check, ...], rule: str) -> Check:
    """The one check with this rule id."""
    (check,) = [c for c in checks if c.rule == rule]
    return check


def members(checks: tuple[Check, ...]) -> list[Check]:
    """The per-member checks of clause 二.3."""
    return [c for c in checks if c.rule == "household.member"]
