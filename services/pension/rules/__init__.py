"""Pension's decisions under 三(七): pure functions over plain data, each citing its clause,
and the local parameters they know (`PARAMETERS`, read once at start)."""

from __future__ import annotations

from services.pension.rules.base import (
    CLAUSE,
    DEFAULT_SCHEME_FOR_NON_EMPLOYED_ADULTS,
    PARAMETER_NAMES,
    SCHEMES,
    Continuation,
    Member,
    SettlementFacts,
)
from services.pension.rules.continuation import decide_continuations
from services.pension.rules.parameters import PARAMETERS, pension_problems

__all__ = [
    "CLAUSE",
    "DEFAULT_SCHEME_FOR_NON_EMPLOYED_ADULTS",
    "PARAMETERS",
    "PARAMETER_NAMES",
    "SCHEMES",
    "Continuation",
    "Member",
    "SettlementFacts",
    "decide_continuations",
    "pension_problems",
]
