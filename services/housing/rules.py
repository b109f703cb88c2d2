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
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from shared.parameters import LocalParameter, ParameterSet

CLAUSE = "三(五)"

Form = Literal["rental_subsidy", "public_rental_housing"]
Outcome = Literal["rental_subsidy", "public_rental_housing", "not_eligible", "information_needed"]
CheckOutcome = Literal["passed", "failed", "undetermined"]

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


def parameter_item(name: str) -> str:
    """How `information_needed` names a missing parameter: `parameters.<name>`."""
    return f"parameters.{name}"


@dataclass(frozen=True)
class HousingFacts:
    """What the assessment looks at: the settlement's housing facts, nothing personal."""

    region_code: str
    decision_date: date
    household_size: int
    monthly_household_income: Decimal | None
    current_area_m2: Decimal | None
    tenure: str | None
    # Facts the settlement gave that are not a non-negative number (said so in the reason).
    unreadable: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """One rule applied: `{rule, clause, outcome, reason}` and what it still needs."""

    rule: str
    clause: str
    outcome: CheckOutcome
    reason: str
    missing: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"


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
    parameters_used: tuple[LocalParameter, ...]
    information_needed: tuple[str, ...]
    clause: str = CLAUSE


def read_amount(value: object) -> Decimal | None:
    """A non-negative finite number as a Decimal, or None (booleans and text are not amounts)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and amount >= 0 else None


def read_facts(
    *,
    region_code: str,
    decision_date: date,
    household_size: int,
    housing: Mapping[str, object] | None,
    residence: Mapping[str, object] | None,
) -> HousingFacts:
    """The facts from a settlement's `housing` and `residence` sections, as the event gave them."""
    housing = housing or {}
    unreadable: list[str] = []
    amounts: dict[str, Decimal | None] = {}
    for fact, key in ((INCOME_FACT, "monthly_household_income"), (AREA_FACT, "current_area_m2")):
        raw = housing.get(key)
        amounts[fact] = read_amount(raw)
        if raw is not None and amounts[fact] is None:
            unreadable.append(fact)
    tenure = (residence or {}).get("tenure")
    return HousingFacts(
        region_code=region_code,
        decision_date=decision_date,
        household_size=household_size,
        monthly_household_income=amounts[INCOME_FACT],
        current_area_m2=amounts[AREA_FACT],
        tenure=tenure if isinstance(tenure, str) else None,
        unreadable=tuple(unreadable),
    )


def per_capita(total: Decimal, members: int) -> Decimal:
    """`total` shared among `members`, rounded half up to two decimals (the compared figure)."""
    return (total / members).quantize(_CENT, rounding=ROUND_HALF_UP)


def _persons(count: int) -> str:
    return "1 person" if count == 1 else f"{count} persons"


def _number(value: Decimal | float | int | str | bool) -> str:
    """A parameter value as written: 1500, not 1500.0 or 1.5E+3."""
    return format(Decimal(str(value)).normalize(), "f")


def cite(parameter: LocalParameter) -> str:
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


def _missing_fact(fact: str, facts: HousingFacts, what: str) -> str:
    if fact in facts.unreadable:
        return f"{what} ({fact}) was given but is not a non-negative number"
    return f"{what} ({fact}) was not given"


def _per_capita_or_check(
    *,
    rule: str,
    name: str,
    fact: str,
    what: str,
    total: Decimal | None,
    facts: HousingFacts,
    parameters: ParameterSet,
) -> tuple[LocalParameter, Decimal] | Check:
    """The limit in force and the per-capita figure, or an undetermined check naming what
    is missing (the members, the fact, the parameter: every one of them, not the first)."""
    limit = parameters.in_force(name, facts.decision_date, facts.region_code)
    missing: list[str] = []
    problems: list[str] = []
    if facts.household_size < 1:
        missing.append(MEMBERS_FACT)
        problems.append("the settlement names no household members, so nothing is per person")
    if total is None:
        missing.append(fact)
        problems.append(_missing_fact(fact, facts, what))
    if limit is None:
        missing.append(parameter_item(name))
        problems.append(_not_in_force(name, facts, parameters))
    if total is None or limit is None or missing:
        reason = "; ".join(problems) + f". The {what} cannot be compared with its limit."
        return Check(rule, CLAUSE, "undetermined", reason[0].upper() + reason[1:], tuple(missing))
    return limit, per_capita(total, facts.household_size)


def income_check(
    facts: HousingFacts, parameters: ParameterSet
) -> tuple[Check, LocalParameter | None]:
    """Per-capita monthly income at or below the limit (the same test as for local residents)."""
    rule = "income_within_limit"
    found = _per_capita_or_check(
        rule=rule,
        name=INCOME_LIMIT,
        fact=INCOME_FACT,
        what="household's monthly income",
        total=facts.monthly_household_income,
        facts=facts,
        parameters=parameters,
    )
    if isinstance(found, Check):
        return found, None
    limit, figure = found
    within = figure <= Decimal(str(limit.value))
    comparison = "is at or below" if within else "is above"
    reason = (
        f"{figure:.2f} yuan per person per month ({facts.monthly_household_income:.2f} yuan for "
        f"{_persons(facts.household_size)}) {comparison} the limit of {_number(limit.value)} "
        f"({cite(limit)})"
    )
    return Check(rule, CLAUSE, "passed" if within else "failed", reason), limit


def area_check(
    facts: HousingFacts, parameters: ParameterSet
) -> tuple[Check, LocalParameter | None]:
    """Per-capita dwelling area below the limit (a household at the limit is not in need)."""
    rule = "area_below_limit"
    found = _per_capita_or_check(
        rule=rule,
        name=AREA_LIMIT,
        fact=AREA_FACT,
        what="household's current dwelling area",
        total=facts.current_area_m2,
        facts=facts,
        parameters=parameters,
    )
    if isinstance(found, Check):
        return found, None
    limit, figure = found
    below = figure < Decimal(str(limit.value))
    comparison = "is below" if below else "is at or above"
    reason = (
        f"{figure:.2f} m2 per person ({facts.current_area_m2:.2f} m2 for "
        f"{_persons(facts.household_size)}) {comparison} the limit of {_number(limit.value)} "
        f"({cite(limit)})"
    )
    return Check(rule, CLAUSE, "passed" if below else "failed", reason), limit


def form_check(facts: HousingFacts) -> tuple[Check, tuple[Form, ...]]:
    """Which form an eligible household has: the department's local choice, by its tenure."""
    rule = "form_by_tenure"
    choice = "(the housing department's local choice of form under 三(五))"
    if facts.tenure == RENTED:
        reason = (
            f"The household rents on the market ({TENURE_FACT} {RENTED}), so it has the rental "
            "subsidy by default; it may ask for public rental housing in kind instead " + choice
        )
        return Check(rule, CLAUSE, "passed", reason), ("rental_subsidy", "public_rental_housing")
    if facts.tenure in OTHER_TENURES:
        reason = (
            f"The household does not rent on the market ({TENURE_FACT} {facts.tenure}), so its "
            f"housing security is public rental housing in kind, on the waiting list of "
            f"{facts.region_code} " + choice
        )
        return Check(rule, CLAUSE, "passed", reason), ("public_rental_housing",)
    given = "was not given" if facts.tenure is None else f"is {facts.tenure!r}, not a known tenure"
    reason = (
        f"Public rental housing in kind is open to the household on the waiting list of "
        f"{facts.region_code}. The rental subsidy is for renting on the market, and "
        f"{TENURE_FACT} {given}, so whether it could have the subsidy instead is not known "
        + choice
    )
    return Check(rule, CLAUSE, "undetermined", reason, (TENURE_FACT,)), ("public_rental_housing",)


def subsidy_check(
    facts: HousingFacts, parameters: ParameterSet
) -> tuple[Check, LocalParameter | None, Decimal | None]:
    """The monthly rental subsidy: the per-capita amount times the household's members."""
    rule = "rental_subsidy_amount"
    amount = parameters.in_force(SUBSIDY_AMOUNT, facts.decision_date, facts.region_code)
    if amount is None:
        reason = (
            _not_in_force(SUBSIDY_AMOUNT, facts, parameters)
            + ". The household is eligible for the rental subsidy, but its amount cannot be stated."
        )
        missing = (parameter_item(SUBSIDY_AMOUNT),)
        return Check(rule, CLAUSE, "undetermined", reason, missing), None, None
    monthly = (Decimal(str(amount.value)) * facts.household_size).quantize(_CENT)
    reason = (
        f"The rental subsidy is {_number(amount.value)} yuan per person per month for "
        f"{_persons(facts.household_size)}: {monthly:.2f} yuan per month ({cite(amount)})"
    )
    return Check(rule, CLAUSE, "passed", reason), amount, monthly


def assess_housing(facts: HousingFacts, parameters: ParameterSet) -> HousingAssessment:
    """The household's housing security on the same terms as local urban residents (三(五)).

    Eligible when both limits are met. A limit known to be failed decides `not_eligible` even
    when the other cannot be checked; otherwise anything missing is `information_needed`,
    naming it, never a guess.
    """
    income, income_limit = income_check(facts, parameters)
    area, area_limit = area_check(facts, parameters)
    used = tuple(p for p in (income_limit, area_limit) if p is not None)
    eligibility = (income, area)
    if any(c.outcome == "failed" for c in eligibility):
        return HousingAssessment("not_eligible", (), None, eligibility, used, ())
    if any(c.outcome == "undetermined" for c in eligibility):
        missing = tuple(dict.fromkeys(item for c in eligibility for item in c.missing))
        return HousingAssessment("information_needed", (), None, eligibility, used, missing)

    form, forms = form_check(facts)
    checks: tuple[Check, ...] = (*eligibility, form)
    monthly: Decimal | None = None
    if "rental_subsidy" in forms:
        subsidy, amount, monthly = subsidy_check(facts, parameters)
        checks = (*checks, subsidy)
        used = (*used, *(p for p in (amount,) if p is not None))
    missing = tuple(item for c in checks for item in c.missing)
    return HousingAssessment(forms[0], forms, monthly, checks, used, missing)
