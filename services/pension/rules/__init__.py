"""Pension's decisions under 三(七): pure functions over plain data, each citing its clause,
and the local parameters they know (`PARAMETERS`, read once at start)."""

from __future__ import annotations

from services.pension.rules.base import (
    CLAUSE,
    DEFAULT_SCHEME_FOR_NON_EMPLOYED_ADULTS,
    MINIMUM_LIVING_STANDARD,
    PARAMETER_NAMES,
    SCHEMES,
    Continuation,
    Member,
    MinimumLivingAssessment,
    SettlementDecision,
    SettlementFacts,
)
from services.pension.rules.continuation import decide_continuations
from services.pension.rules.minimum_living import assess_minimum_living
from services.pension.rules.parameters import PARAMETERS, pension_problems
from shared.parameters import ParameterSet

__all__ = [
    "CLAUSE",
    "DEFAULT_SCHEME_FOR_NON_EMPLOYED_ADULTS",
    "MINIMUM_LIVING_STANDARD",
    "PARAMETERS",
    "PARAMETER_NAMES",
    "SCHEMES",
    "Continuation",
    "Member",
    "MinimumLivingAssessment",
    "SettlementDecision",
    "SettlementFacts",
    "assess_minimum_living",
    "decide_continuations",
    "decide_settlement",
    "pension_problems",
]


def decide_settlement(facts: SettlementFacts, parameters: ParameterSet) -> SettlementDecision:
    """Everything 三(七) asks of pension for one settled household, on its decision date."""
    return SettlementDecision(
        continuations=decide_continuations(facts, parameters),
        minimum_living=assess_minimum_living(facts, parameters),
    )
