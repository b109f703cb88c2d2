"""三(七) minimum living guarantee (最低生活保障): one assessment per household, as for locals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from services.pension.rules.base import (
    MINIMUM_LIVING_STANDARD,
    MinimumLivingAssessment,
    MinimumLivingOutcome,
    SettlementFacts,
)
from shared.parameters import Parameter, ParameterSet

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


def _recorded(parameters: ParameterSet, name: str) -> str:
    versions = parameters.named(name)
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
    facts: SettlementFacts, parameters: ParameterSet
) -> MinimumLivingAssessment:
    """Eligible when the household's income per member is strictly below the county's standard.

    The household is everyone who settles in this settlement; income is the household's monthly
    income the application states. Civil affairs then verifies income and assets exactly as for
    a local household: the same terms, no more and no less.
    """
    on, region = facts.decision_date, facts.destination_region_code
    size = len(facts.members)
    if size == 0:
        raise ValueError("a settlement with no members has no household to assess")
    missing: list[str] = []
    problems: list[str] = []
    parameter: Parameter | None = parameters.in_force(MINIMUM_LIVING_STANDARD, on, region)
    standard: Decimal | None = None
    if parameter is None:
        missing.append(f"local parameter {MINIMUM_LIVING_STANDARD} for {region}")
        problems.append(
            f"no minimum living standard (local parameter {MINIMUM_LIVING_STANDARD}, yuan per "
            f"person per month) is in force for {region} on {on.isoformat()} (versions "
            f"recorded: {_recorded(parameters, MINIMUM_LIVING_STANDARD)})"
        )
    else:
        standard = amount(parameter.value)
        if standard is None:
            missing.append(f"local parameter {MINIMUM_LIVING_STANDARD} for {region}")
            problems.append(
                f"the minimum living standard in force ({parameter.cite()}) is not a positive "
                "amount of yuan"
            )
    references = (parameter.reference(),) if parameter is not None else ()
    income = facts.monthly_household_income
    if income is None:
        missing.append("housing.monthly_household_income")
        problems.append(
            "the application does not state the household's monthly income "
            "(housing.monthly_household_income)"
        )
    if parameter is None or standard is None or income is None:
        return MinimumLivingAssessment(
            region_code=region,
            outcome="information_needed",
            household_size=size,
            monthly_household_income=income,
            per_capita_income=None,
            standard=standard,
            reason="The minimum living guarantee is assessed on the same terms as for local "
            f"residents (三(七)), but {'; and '.join(problems)}.",
            missing=tuple(missing),
            parameters=references,
        )
    per_capita = income / size  # compared unrounded; shown to the fen
    shown = per_capita.quantize(FEN, ROUND_HALF_UP)
    arithmetic = (
        f"The household's monthly income of {_yuan(income)} yuan over its {size} members is "
        f"{shown} yuan per person"
    )
    cited = f"the standard of {_yuan(standard)} yuan per person per month ({parameter.cite()})"
    outcome: MinimumLivingOutcome = "eligible" if per_capita < standard else "not_eligible"
    if outcome == "eligible":
        verdict = (
            f"{arithmetic}, below {cited}: eligible for the minimum living guarantee on the "
            "same terms as local residents (三(七)); civil affairs verifies income and assets as "
            "for any local household."
        )
    else:
        verdict = (
            f"{arithmetic}, not below {cited}: not eligible, as a local household would not be "
            "(三(七)); only an income strictly below the standard qualifies."
        )
    return MinimumLivingAssessment(
        region_code=region,
        outcome=outcome,
        household_size=size,
        monthly_household_income=income,
        per_capita_income=shown,
        standard=standard,
        reason=verdict,
        parameters=references,
    )
