"""Housing security for a settled household (三(五)): eligibility and its form, as pure rules.

三(五) gives settled rural migrants the same right to basic housing security as local urban
residents: public rental housing in kind (实物保障) and rental subsidies (租赁补贴) for renting on
the market. The policy sets no number, so every threshold and amount is a local parameter of
the housing department (dated, for a county or citywide, with its source):

- `income_limit_per_capita` (yuan/person/month): eligible when the household's monthly income
  divided by its members is at or below it;
- `area_limit_per_capita` (m2/person): eligible when the household's current dwelling area
  divided by its members is below it;
- `rental_subsidy_amount_per_capita` (yuan/person/month): the monthly rental subsidy is this
  amount times the members.

The department's local choices (not policy text): per-capita figures are rounded half up to two
decimals (the fen, 0.01 m2) and that figure is compared; a household that rents on the market
gets the rental subsidy by default and may ask for public rental housing in kind instead; any
other eligible household (its own small dwelling, a collective dormitory) goes on the county's
public rental housing waiting list.

`PARAMETERS` declares these three (and what a valid one is): `LUOHU_HOUSING_PARAMETERS` holds a
JSON list of them, or the path of a JSON file, read once at start. No value ships with the code:
until the housing department records its limits (with their source) every household is assessed
`information_needed`, naming them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from shared.parameters import Parameter, ParameterSet, ParameterSource
from shared.rules import (
    Check,
    failed,
    missing_of,
    outcome_of,
    parameter_field,
    passed,
    undetermined,
)
from shared.settlement import HousingFacts as SettledHousing
from shared.settlement import Residence

CLAUSE = "三(五)"

Form = Literal["rental_subsidy", "public_rental_housing"]
Outcome = Literal["rental_subsidy", "public_rental_housing", "not_eligible", "information_needed"]

FORMS: tuple[Form, ...] = ("rental_subsidy", "public_rental_housing")

INCOME_LIMIT = "income_limit_per_capita"
AREA_LIMIT = "area_limit_per_capita"
SUBSIDY_AMOUNT = "rental_subsidy_amount_per_capita"
PARAMETER_UNITS: Mapping[str, str] = {
    INCOME_LIMIT: "yuan/person/month",
    AREA_LIMIT: "m2/person",
    SUBSIDY_AMOUNT: "yuan/person/month",
}

INCOME_FACT = "housing.monthly_household_income"
AREA_FACT = "housing.current_area_m2"
TENURE_FACT = "residence.tenure"
MEMBERS_FACT = "members"
RENTED = "rented"
OTHER_TENURES = ("owned", "employer_collective", "community_collective")

_CENT = Decimal("0.01")


def _problems(parameter: Parameter) -> list[str]:
    """Housing's own checks; the name, the county and the period are checked for every service."""
    name = parameter.name
    expected = PARAMETER_UNITS[name]
    problems = []
    value = parameter.value
    if isinstance(value, bool | str) or value <= 0:
        problems.append(f"{name} must be a number above zero, not {value!r}")
    if parameter.unit is not None and parameter.unit != expected:
        # A per-household amount loaded as per person would be wrong by the household's size.
        problems.append(f"{name} is in {expected}, not {parameter.unit}")
    return problems


PARAMETERS = ParameterSource(service="housing", known=tuple(PARAMETER_UNITS), check=_problems)
"""Loaded by `app.build()`, so a wrong value stops the service at start, not a decision."""


@dataclass(frozen=True)
class HousingFacts:
    """What the assessment looks at: the settlement's housing facts, nothing personal."""

    region_code: str
    decision_date: date
    household_size: int
    monthly_household_income: Decimal | None
    current_area_m2: Decimal | None
    tenure: str | None


@dataclass(frozen=True)
class HousingAssessment:
    """The household's housing-security eligibility under 三(五), with its reasons.

    `forms` are the forms the household may apply for (the outcome's first). `information_needed`
    names what is missing: with outcome `information_needed` it is what the eligibility waits
    for; with an eligible outcome it is a detail still open (the subsidy's amount, or whether
    the household rents on the market and so could have the subsidy).
    """

    outcome: Outcome
    forms: tuple[Form, ...]
    monthly_rental_subsidy: Decimal | None
    checks: tuple[Check, ...]
    parameters_used: tuple[Parameter, ...]
    information_needed: tuple[str, ...]
    clause: str = CLAUSE


def _exactly(amount: float | None) -> Decimal | None:
    """An amount as written (4199.5, not its binary float). The event refuses one that is
    negative or not finite, so every amount that reaches the rules is one to compare."""
    return None if amount is None else Decimal(str(amount))


def read_facts(
    *,
    region_code: str,
    decision_date: date,
    household_size: int,
    housing: SettledHousing | None,
    residence: Residence | None,
) -> HousingFacts:
    """The facts from a settlement's `housing` and `residence` sections, as the event gave them."""
    return HousingFacts(
        region_code=region_code,
        decision_date=decision_date,
        household_size=household_size,
        monthly_household_income=_exactly(housing.monthly_household_income if housing else None),
        current_area_m2=_exactly(housing.current_area_m2 if housing else None),
        tenure=residence.tenure if residence else None,
    )


def per_capita(total: Decimal, members: int) -> Decimal:
    """`total` shared among `members`, rounded half up to two decimals (the compared figure)."""
    return (total / members).quantize(_CENT, rounding=ROUND_HALF_UP)


def _persons(count: int) -> str:
    return "1 person" if count == 1 else f"{count} persons"


def _number(value: Decimal | float | int | str | bool) -> str:
    """A parameter value as written: 1500, not 1500.0 or 1.5E+3."""
    return format(Decimal(str(value)).normalize(), "f")


def cite(parameter: Parameter) -> str:
    """Where a limit comes from, as a reason shows it."""
    scope = f"for {parameter.region_code}" if parameter.region_code else "citywide"
    until = f" to {parameter.valid_to.isoformat()}" if parameter.valid_to else ""
    return (
        f"local parameter {parameter.name} {scope}, set by {parameter.department}, "
        f"from {parameter.valid_from.isoformat()}{until}; source: {parameter.source}"
    )


def _not_in_force(name: str, facts: HousingFacts, parameters: ParameterSet) -> str:
    known = parameters.named(name)
    versions = "; ".join(
        f"{_number(p.value)} {p.region_code or 'citywide'} from {p.valid_from.isoformat()}"
        + (f" to {p.valid_to.isoformat()}" if p.valid_to else "")
        + f" ({p.source})"
        for p in known
    )
    return (
        f"No {name} ({PARAMETER_UNITS.get(name, '')}) is in force for {facts.region_code} or "
        f"citywide on {facts.decision_date.isoformat()}; versions recorded: {versions or 'none'}"
    )


@dataclass(frozen=True)
class Limit:
    """A per-capita limit of eligibility, said in its parameter's unit (yuan/person/month)."""

    rule: str
    name: str
    fact: str
    what: str
    # At the limit: within it (income, as for local residents) or not (area: not in need).
    inclusive: bool


INCOME = Limit("income_within_limit", INCOME_LIMIT, INCOME_FACT, "household's monthly income", True)
AREA = Limit("area_below_limit", AREA_LIMIT, AREA_FACT, "household's current dwelling area", False)


def limit_check(
    limit: Limit, total: Decimal | None, facts: HousingFacts, parameters: ParameterSet
) -> tuple[Check, Parameter | None]:
    """The household's `total` per person against the limit in force on the decision date;
    undetermined, naming every missing piece (members, fact, parameter), when it cannot be."""
    in_force = parameters.in_force(limit.name, facts.decision_date, facts.region_code)
    missing: list[str] = []
    problems: list[str] = []
    if facts.household_size < 1:
        missing.append(MEMBERS_FACT)
        problems.append("the settlement names no household members, so nothing is per person")
    if total is None:
        missing.append(limit.fact)
        problems.append(f"{limit.what} ({limit.fact}) was not given")
    if in_force is None:
        missing.append(parameter_field(limit.name))
        problems.append(_not_in_force(limit.name, facts, parameters))
    if total is None or in_force is None or missing:
        reason = "; ".join(problems) + f". The {limit.what} cannot be compared with its limit."
        return undetermined(limit.rule, CLAUSE, reason[0].upper() + reason[1:], missing), None
    figure = per_capita(total, facts.household_size)
    bound = Decimal(str(in_force.value))
    met = figure <= bound if limit.inclusive else figure < bound
    if limit.inclusive:
        comparison = "is at or below" if met else "is above"
    else:
        comparison = "is below" if met else "is at or above"
    unit = PARAMETER_UNITS[limit.name]  # "yuan/person/month": "yuan per person per month"
    reason = (
        f"{figure:.2f} {unit.replace('/', ' per ')} ({total:.2f} {unit.split('/')[0]} for "
        f"{_persons(facts.household_size)}) {comparison} the limit of "
        f"{_number(in_force.value)} ({cite(in_force)})"
    )
    return (passed if met else failed)(limit.rule, CLAUSE, reason), in_force


def form_check(facts: HousingFacts) -> tuple[Check, tuple[Form, ...]]:
    """Which form an eligible household has: the department's local choice, by its tenure."""
    rule = "form_by_tenure"
    choice = "(the housing department's local choice of form under 三(五))"
    if facts.tenure == RENTED:
        reason = (
            f"The household rents on the market ({TENURE_FACT} {RENTED}), so it has the rental "
            "subsidy by default; it may ask for public rental housing in kind instead " + choice
        )
        return passed(rule, CLAUSE, reason), ("rental_subsidy", "public_rental_housing")
    if facts.tenure in OTHER_TENURES:
        reason = (
            f"The household does not rent on the market ({TENURE_FACT} {facts.tenure}), so its "
            f"housing security is public rental housing in kind, on the waiting list of "
            f"{facts.region_code} " + choice
        )
        return passed(rule, CLAUSE, reason), ("public_rental_housing",)
    given = "was not given" if facts.tenure is None else f"is {facts.tenure!r}, not a known tenure"
    reason = (
        f"Public rental housing in kind is open to the household on the waiting list of "
        f"{facts.region_code}. The rental subsidy is for renting on the market, and "
        f"{TENURE_FACT} {given}, so whether it could have the subsidy instead is not known "
        + choice
    )
    return undetermined(rule, CLAUSE, reason, (TENURE_FACT,)), ("public_rental_housing",)


def subsidy_check(
    facts: HousingFacts, parameters: ParameterSet
) -> tuple[Check, Parameter | None, Decimal | None]:
    """The monthly rental subsidy: the per-capita amount times the household's members."""
    rule = "rental_subsidy_amount"
    amount = parameters.in_force(SUBSIDY_AMOUNT, facts.decision_date, facts.region_code)
    if amount is None:
        reason = (
            _not_in_force(SUBSIDY_AMOUNT, facts, parameters)
            + ". The household is eligible for the rental subsidy, but its amount cannot be stated."
        )
        return undetermined(rule, CLAUSE, reason, (parameter_field(SUBSIDY_AMOUNT),)), None, None
    monthly = (Decimal(str(amount.value)) * facts.household_size).quantize(_CENT)
    reason = (
        f"The rental subsidy is {_number(amount.value)} yuan per person per month for "
        f"{_persons(facts.household_size)}: {monthly:.2f} yuan per month ({cite(amount)})"
    )
    return passed(rule, CLAUSE, reason), amount, monthly


def assess_housing(facts: HousingFacts, parameters: ParameterSet) -> HousingAssessment:
    """The household's housing security on the same terms as local urban residents (三(五)).

    Eligible when both limits are met. A limit known to be failed decides `not_eligible` even
    when the other cannot be checked; otherwise anything missing is `information_needed`,
    naming it, never a guess.
    """
    income, income_limit = limit_check(INCOME, facts.monthly_household_income, facts, parameters)
    area, area_limit = limit_check(AREA, facts.current_area_m2, facts, parameters)
    used = tuple(p for p in (income_limit, area_limit) if p is not None)
    eligibility = (income, area)
    decided = outcome_of(eligibility)
    if decided == "failed":
        return HousingAssessment("not_eligible", (), None, eligibility, used, ())
    if decided == "undetermined":
        missing = missing_of(eligibility)
        return HousingAssessment("information_needed", (), None, eligibility, used, missing)

    form, forms = form_check(facts)
    checks: tuple[Check, ...] = (*eligibility, form)
    monthly: Decimal | None = None
    if "rental_subsidy" in forms:
        subsidy, amount, monthly = subsidy_check(facts, parameters)
        checks = (*checks, subsidy)
        used = (*used, *(p for p in (amount,) if p is not None))
    return HousingAssessment(forms[0], forms, monthly, checks, used, missing_of(checks))
