"""The minimum living guarantee for a settled household (三(七)), as pure rules.

三(七) puts settled migrants in the minimum living guarantee (最低生活保障) on the same terms as
local residents. The policy sets no number: the standard is civil affairs' own local parameter,
dated, for a county or citywide, with its source:

- `minimum_living_standard` (yuan/person/month): a household is eligible when its monthly
  income divided by its members is strictly below the standard in force for its county on the
  settlement's decision date (a county's own value wins over the citywide one).

The household is everyone who settles in the settlement; its income is the monthly household
income the application states (`housing.monthly_household_income`). The per-capita income is
compared unrounded and shown to the fen. Civil affairs then verifies income and assets exactly
as for a local household: the same terms, no more and no less.

`PARAMETERS` declares the standard (and what a valid one is): `LUOHU_CIVIL_AFFAIRS_PARAMETERS`
holds a JSON list of them, or the path of a JSON file. No value ships with the code: until civil
affairs records its standard (with its source) every household waits on it, naming it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from shared.parameters import Parameter, ParameterSet, ParameterSource
from shared.rules import Check, failed, parameter_field, passed, undetermined

CLAUSE = "三(七)"

Outcome = Literal["eligible", "not_eligible", "information_needed"]

MINIMUM_LIVING_STANDARD = "minimum_living_standard"
STANDARD_UNIT = "yuan/person/month"
STANDARD_FIELD = parameter_field(MINIMUM_LIVING_STANDARD)
INCOME_FACT = "housing.monthly_household_income"
RULE = "income_below_standard"

FEN = Decimal("0.01")


def amount(value: float | int | str | bool) -> Decimal | None:
    """A positive amount of yuan from a parameter's value, or None when it is not one."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() and number > 0 else None


def standard_problems(parameter: Parameter) -> Iterator[str]:
    """What makes a standard one civil affairs cannot use (the name, the county and the period
    are checked for every service)."""
    where = f"local parameter {parameter.name}"
    if amount(parameter.value) is None:
        yield f"{where} must be a positive amount of yuan, not {parameter.value!r}"
    if parameter.unit is not None and parameter.unit != STANDARD_UNIT:
        # A per-household standard loaded as per person would be wrong by the household's size.
        yield f"{where} is in {STANDARD_UNIT}, not {parameter.unit}"


PARAMETERS = ParameterSource(
    service="civil_affairs", known=(MINIMUM_LIVING_STANDARD,), check=standard_problems
)
"""Loaded by `app.build()` (a wrong value stops the start); decisions use `.current()` and pick
the version in force on the settlement's decision date."""


@dataclass(frozen=True)
class HouseholdFacts:
    """What the assessment looks at: the household's size and income, nothing personal."""

    region_code: str
    decision_date: date
    household_size: int
    monthly_household_income: Decimal | None


@dataclass(frozen=True)
class MinimumLivingAssessment:
    """The household's minimum living guarantee (最低生活保障), on local residents' terms."""

    outcome: Outcome
    household_size: int
    per_capita_income: Decimal | None
    standard: Decimal | None
    check: Check
    parameters_used: tuple[Parameter, ...]
    clause: str = CLAUSE

    @property
    def missing(self) -> tuple[str, ...]:
        """What the assessment still waits for (`housing.monthly_household_income`,
        `parameters.minimum_living_standard`); empty once decided."""
        return self.check.missing

    @property
    def information_needed(self) -> tuple[str, ...]:
        """The same as `missing`: what a household assessment records as needed."""
        return self.missing

    @property
    def checks(self) -> tuple[Check, ...]:
        """The assessment's one check, as a household assessment records its checks."""
        return (self.check,)


def exactly(value: float | None) -> Decimal | None:
    """An amount as written (1799.99, not its binary float)."""
    return None if value is None else Decimal(str(value))


def _recorded(parameters: ParameterSet) -> str:
    versions = parameters.named(MINIMUM_LIVING_STANDARD)
    if not versions:
        return "none recorded"
    return "; ".join(
        f"{p.value} in {p.region_code or 'the whole city'} from {p.valid_from.isoformat()}"
        + (f" to {p.valid_to.isoformat()}" if p.valid_to else "")
        for p in versions
    )


def _yuan(value: Decimal) -> str:
    return f"{value.quantize(FEN, ROUND_HALF_UP)}"


def assess_minimum_living(
    facts: HouseholdFacts, parameters: ParameterSet
) -> MinimumLivingAssessment:
    """Eligible when the household's income per member is strictly below the county's standard;
    otherwise not eligible; with the income or the standard unknown, waiting on it, naming it."""
    on, region, size = facts.decision_date, facts.region_code, facts.household_size
    if size < 1:
        # Hukou approves no settlement without its applicant: this is a fault to replay.
        raise ValueError("a settlement with no members has no household to assess")
    missing: list[str] = []
    problems: list[str] = []
    parameter = parameters.in_force(MINIMUM_LIVING_STANDARD, on, region)
    standard = None if parameter is None else amount(parameter.value)
    if parameter is None:
        missing.append(STANDARD_FIELD)
        problems.append(
            f"no minimum living standard (local parameter {MINIMUM_LIVING_STANDARD}, "
            f"{STANDARD_UNIT}) is in force for {region} on {on.isoformat()} (versions "
            f"recorded: {_recorded(parameters)})"
        )
    elif standard is None:
        missing.append(STANDARD_FIELD)
        problems.append(
            f"the minimum living standard in force ({parameter.cite()}) is not a positive "
            "amount of yuan"
        )
    used = () if parameter is None else (parameter,)
    income = facts.monthly_household_income
    if income is None:
        missing.append(INCOME_FACT)
        problems.append(
            f"the application does not state the household's monthly income ({INCOME_FACT})"
        )
    if parameter is None or standard is None or income is None:
        reason = (
            "The minimum living guarantee is assessed on the same terms as for local residents "
            f"({CLAUSE}), but {'; and '.join(problems)}."
        )
        check = undetermined(RULE, CLAUSE, reason, missing)
        return MinimumLivingAssessment("information_needed", size, None, standard, check, used)
    per_capita = income / size  # compared unrounded; shown to the fen
    shown = per_capita.quantize(FEN, ROUND_HALF_UP)
    arithmetic = (
        f"The household's monthly income of {_yuan(income)} yuan over its {size} members is "
        f"{shown} yuan per person"
    )
    cited = f"the standard of {_yuan(standard)} yuan per person per month ({parameter.cite()})"
    if per_capita < standard:
        check = passed(
            RULE,
            CLAUSE,
            f"{arithmetic}, below {cited}: eligible for the minimum living guarantee on the "
            f"same terms as local residents ({CLAUSE}); civil affairs verifies income and assets "
            "as for any local household.",
        )
        return MinimumLivingAssessment("eligible", size, shown, standard, check, used)
    check = failed(
        RULE,
        CLAUSE,
        f"{arithmetic}, not below {cited}: not eligible, as a local household would not be "
        f"({CLAUSE}); only an income strictly below the standard qualifies.",
    )
    return MinimumLivingAssessment("not_eligible", size, shown, standard, check, used)
