"""Facts and parameters for pension's rule tests: a family from Meizhou settling in Wujiang."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from services.pension.rules import (
    Continuation,
    Member,
    SettlementFacts,
    decide_continuations,
)
from services.pension.rules.base import Sex
from shared.parameters import Parameter, ParameterSet
from shared.settlement import SocialInsurance

DECIDED = date(2019, 6, 1)
WUJIANG, ZHENJIANG = "440203", "440204"
MEIZHOU = "441402"  # outside Shaoguan
PRESUMED_SCHEME = "default_scheme_for_non_employed_adults"


def member(
    index: int, relation: str, born: date, sex: Sex = "male", region: str = MEIZHOU, **facts: Any
) -> Member:
    """A settled person; `facts` are those supplied since approval or the origin's confirmation
    (`employer_paid`, `occupation_category`, `confirmed`)."""
    return Member(
        index=index,
        relation=relation,
        birth_date=born,
        sex=sex,
        previous_region_code=region,
        **facts,
    )


def applicant(born: date = date(1988, 5, 1), sex: Sex = "male", **facts: Any) -> Member:
    """The applicant; whether an employer pays for them is `facts()`' `employer_paid`."""
    return member(0, "applicant", born, sex, **facts)


def wife(region: str = MEIZHOU, **facts: Any) -> Member:
    """The applicant's wife, 29 on the decision date; the application states no employment."""
    return member(1, "spouse", date(1990, 2, 2), "female", region, **facts)


def grandfather(index: int = 1) -> Member:
    """The applicant's father, 69 on the decision date: past every pension age."""
    return member(index, "parent", date(1950, 3, 1))


def facts(
    *members: Member,
    employer_paid: bool | None = True,
    pension_months: int | None = 14,
    insured_region_code: str | None = WUJIANG,
    on: date = DECIDED,
    region: str = WUJIANG,
) -> SettlementFacts:
    """The settlement of `members` (the applicant alone if none), reading the applicant's
    `employer_paid` from the application's insurance, as `operations.facts_from` does."""
    chosen = [
        replace(m, employer_paid=employer_paid) if m.relation == "applicant" else m
        for m in members or (applicant(),)
    ]
    return SettlementFacts(
        decision_date=on,
        destination_region_code=region,
        members=tuple(chosen),
        applicant_insurance=SocialInsurance(
            employer_paid=employer_paid,
            pension_months=pension_months,
            insured_region_code=insured_region_code,
        ),
    )


def parameter(name: str, value: Any, region: str | None = WUJIANG, **dates: date) -> Parameter:
    return Parameter(
        name=name,
        value=value,
        unit=None,
        region_code=region,
        valid_from=dates.get("valid_from", date(2019, 1, 1)),
        valid_to=dates.get("valid_to"),
        source="test fixture",
        department="human_resources",
    )


def presumed(scheme: str = "urban_rural_resident") -> ParameterSet:
    """Wujiang presumes `scheme` for adults whose employment the application does not state."""
    return ParameterSet((parameter(PRESUMED_SCHEME, scheme),))


NONE = ParameterSet()


def only(settlement: SettlementFacts, parameters: ParameterSet = NONE) -> Continuation:
    (continuation,) = decide_continuations(settlement, parameters)
    return continuation


def of(settlement: SettlementFacts, index: int, parameters: ParameterSet = NONE) -> Continuation:
    found = [c for c in decide_continuations(settlement, parameters) if c.member_index == index]
    assert len(found) == 1
    return found[0]
