"""Facts the residence permit rule tests start from, and short ways to decide on them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from services.residence_permit.rules import (
    Application,
    EndorsementDecision,
    RegisteredResidence,
    Term,
    decide_application,
    decide_endorsement,
    national_parameters,
)

ART_2 = "居住证暂行条例 第二条"
ART_9 = "居住证暂行条例 第九条"
ART_10 = "居住证暂行条例 第十条"
PARAMETERS = national_parameters()
PERSON = "PERSON-A"  # the rules compare identity numbers, never parse them
GUARDIAN = "GUARDIAN-B"
REGISTRATION = "REGISTRATION-1"


def application(*, resident_since: date = date(2023, 1, 15), **overrides: Any) -> Application:
    """An adult registered in Guangzhou, whose residence in 武江区 is registered since
    `resident_since` (2023-01-15), employed."""
    facts = Application(
        id_number=PERSON,
        birth_date=date(1990, 5, 1),
        hukou_region_code="440106",
        region_code="440203",
        registered=RegisteredResidence(resident_since, "440203", REGISTRATION),
        basis="employment",
        applied_on=date(2023, 7, 15),
    )
    return replace(facts, **overrides)


def accepted(facts: Application) -> bool:
    return decide_application(facts, PARAMETERS).accepted


def refusal_fields(facts: Application) -> list[str | None]:
    return [check.field for check in decide_application(facts, PARAMETERS).refusals]


def refusal(facts: Application, field: str) -> str:
    decision = decide_application(facts, PARAMETERS)
    [check] = [c for c in decision.refusals if c.field == field]
    return check.reason


def term(**overrides: Any) -> Term:
    """A permit issued 2024-03-15 for its first year (to 2025-03-14)."""
    return replace(
        Term(
            issued_on=date(2024, 3, 15),
            valid_from=date(2024, 3, 15),
            valid_to=date(2025, 3, 14),
            period_start=date(2024, 3, 15),
            years_in_period=1,
        ),
        **overrides,
    )


def endorse(t: Term, on: date, *, still_resident: bool = True) -> EndorsementDecision:
    return decide_endorsement(
        t, endorsed_on=on, still_resident=still_resident, parameters=PARAMETERS
    )


def endorsed(t: Term, on: date) -> Term:
    """The permit's term after an endorsement the test expects to be accepted."""
    decision = endorse(t, on)
    assert decision.term is not None, decision.reason
    return decision.term
