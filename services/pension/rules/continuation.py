"""三(七) pension: one continuation per adult: the scheme joined, months carried over, status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.pension.rules.base import (
    CLAUSE,
    DEFAULT_SCHEME_FOR_NON_EMPLOYED_ADULTS,
    EMPLOYER_PAID,
    OCCUPATION_CATEGORY,
    SCHEME_WORDS,
    SCHEMES,
    Continuation,
    ContinuationStatus,
    Member,
    MonthsSource,
    Scheme,
    SettlementFacts,
)
from services.pension.rules.pension_age import (
    CATEGORY_WORDS,
    Category,
    PensionAge,
    employee_pension_age,
    resident_pension_age,
)
from shared.dates import age_on
from shared.national import AGE_OF_MAJORITY
from shared.parameters import ParameterSet
from shared.rules import Check, undetermined

SHAOGUAN_PREFIX = "4402"  # GB/T 2260: every county of Shaoguan (440200) shares it


def in_shaoguan(region_code: str) -> bool:
    return region_code.startswith(SHAOGUAN_PREFIX)


def is_adult(member: Member, on: date) -> bool:
    """18 or over on the decision date (national law); minors get no pension entry."""
    if not AGE_OF_MAJORITY.in_force_on(on):
        raise ValueError(f"no age of majority is recorded in force on {on.isoformat()}")
    return age_on(member.birth_date, on) >= int(AGE_OF_MAJORITY.value)


def who(member: Member) -> str:
    if member.relation == "applicant":
        return "The applicant"
    return f"The {member.relation} (member {member.index})"


@dataclass(frozen=True)
class _SchemeChoice:
    scheme: Scheme | None
    reason: str
    checks: tuple[Check, ...] = ()
    parameters: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class _AgeVerdict:
    reached: bool | None  # None: cannot tell without the facts its checks name
    reason: str
    decisive: PensionAge | None = None
    checks: tuple[Check, ...] = ()
    parameters: tuple[dict[str, Any], ...] = ()


def _scheme_of_who_pays(member: Member, paid: bool) -> _SchemeChoice:
    whom = who(member).replace("The", "the", 1)
    source = EMPLOYER_PAID if member.relation == "applicant" else f"{EMPLOYER_PAID}, supplied"
    if paid:
        return _SchemeChoice(
            "employee",
            f"An employer pays pension insurance for {whom} ({source}), so they join "
            f"{SCHEME_WORDS['employee']}, compulsory for employees (社会保险法 art. 10).",
        )
    return _SchemeChoice(
        "urban_rural_resident",
        f"No employer pays pension insurance for {whom} ({source} is false), so they join "
        f"{SCHEME_WORDS['urban_rural_resident']}, open to residents the employee scheme "
        "does not cover (国发〔2014〕8号); as a self-employed or flexible worker they may "
        "choose the employee scheme instead, paying their own contributions "
        "(社会保险法 art. 10).",
    )


def choose_scheme(
    member: Member, facts: SettlementFacts, parameters: ParameterSet
) -> _SchemeChoice:
    """The scheme follows who pays, where that is known; for adults other than the applicant,
    whose employment the application does not state, a dated local presumption stands in."""
    if member.employer_paid is not None:
        return _scheme_of_who_pays(member, member.employer_paid)
    if member.relation == "applicant":
        reason = (
            "The application does not say whether an employer pays pension insurance for the "
            "applicant, so the scheme they join cannot be decided."
        )
        check = undetermined("scheme", CLAUSE, reason, (EMPLOYER_PAID,), field=EMPLOYER_PAID)
        return _SchemeChoice(None, reason, checks=(check,))
    on, region = facts.decision_date, facts.destination_region_code
    parameter = parameters.in_force(DEFAULT_SCHEME_FOR_NON_EMPLOYED_ADULTS, on, region)
    if parameter is not None and parameter.value in SCHEMES:
        scheme: Scheme = "employee" if parameter.value == "employee" else "urban_rural_resident"
        return _SchemeChoice(
            scheme,
            "The application states the employment of the applicant only; for other adults "
            f"the city presumes {SCHEME_WORDS[scheme]} ({parameter.cite()}).",
            parameters=(parameter.reference(),),
        )
    if parameter is None:
        why = (
            f"no local parameter {DEFAULT_SCHEME_FOR_NON_EMPLOYED_ADULTS} is in force for "
            f"{region} on {on.isoformat()}"
        )
    else:
        why = (
            f"the local parameter {DEFAULT_SCHEME_FOR_NON_EMPLOYED_ADULTS} in force holds "
            f"{parameter.value!r}, which is not a scheme (employee or urban_rural_resident)"
        )
    check = undetermined(
        "scheme",
        CLAUSE,
        "The application states the employment of the applicant only: another adult's scheme "
        f"follows whether an employer pays pension insurance for them ({EMPLOYER_PAID}) or, "
        f"failing that, the city's presumption, and {why}.",
        (EMPLOYER_PAID, f"parameters.{DEFAULT_SCHEME_FOR_NON_EMPLOYED_ADULTS}"),
        field=EMPLOYER_PAID,
    )
    return _SchemeChoice(
        None,
        f"The application states the employment of the applicant only, and {why}, so the "
        "scheme this member joins cannot be decided.",
        checks=(check,),
    )


@dataclass(frozen=True)
class _Candidate:
    """A pension age that may apply: one per possible scheme and, for women employees, category."""

    label: str
    scheme: Scheme
    age: PensionAge | None


def _categories(member: Member) -> tuple[Category, ...]:
    if member.sex == "male":
        return ("male",)
    if member.occupation_category == "worker":
        return ("female_worker",)
    if member.occupation_category == "staff":
        return ("female_staff",)
    return ("female_worker", "female_staff")


def _candidates(member: Member, scheme: Scheme | None, on: date) -> list[_Candidate]:
    found: list[_Candidate] = []
    for candidate in (scheme,) if scheme else SCHEMES:
        if candidate == "urban_rural_resident":
            age = resident_pension_age(member.birth_date, on)
            found.append(_Candidate("the urban-rural residents' pension", candidate, age))
            continue
        for category in _categories(member):
            label = f"{CATEGORY_WORDS[category]} in the employee scheme"
            age = employee_pension_age(member.birth_date, category, on)
            found.append(_Candidate(label, candidate, age))
    return found


def _unique_references(ages: list[PensionAge]) -> tuple[dict[str, Any], ...]:
    seen: dict[str, dict[str, Any]] = {}
    for age in ages:
        seen.setdefault(f"{age.rule.name}@{age.rule.valid_from}", age.rule.reference())
    return tuple(seen.values())


def judge_pension_age(member: Member, scheme: Scheme | None, on: date) -> _AgeVerdict:
    """Whether the member is at or past the statutory pension age on the decision date.

    Where the facts leave more than one pension age possible (the scheme is unknown, or a woman
    in the employee scheme whose occupation category is unknown), it is decided only when every
    possible age gives the same answer; otherwise a check names what is missing.
    """
    candidates = _candidates(member, scheme, on)
    unknown = [c for c in candidates if c.age is None]
    if unknown:
        reason = (
            f"No statutory pension age for {', '.join(c.label for c in unknown)} is recorded in "
            f"force on {on.isoformat()}."
        )
        laws = tuple(dict.fromkeys(f"parameters.statutory_pension_age.{c.scheme}" for c in unknown))
        return _AgeVerdict(
            None, reason, checks=(undetermined("pension_age", CLAUSE, reason, laws),)
        )
    known = [(c.label, c.scheme, c.age) for c in candidates if c.age is not None]
    ages = [age for _, _, age in known]
    refs = _unique_references(ages)
    reached = [(label, age) for label, _, age in known if age.reached_by(on)]
    below = [(label, age) for label, _, age in known if not age.reached_by(on)]
    # One age to show only when every possible age is the same; otherwise the reason lists them.
    decisive = ages[0] if len({(a.years, a.months) for a in ages}) == 1 else None
    if not below:
        return _AgeVerdict(
            True,
            f"At or past the statutory pension age ({_listed(reached)}) on the decision date, "
            "so they draw the basic pension on the same terms as local residents (三(七)) "
            "rather than contributing.",
            decisive=decisive,
            parameters=refs,
        )
    if not reached:
        return _AgeVerdict(
            False,
            f"Below the statutory pension age under the law in force on the decision date "
            f"({_listed(below)}), so they contribute.",
            decisive=decisive,
            parameters=refs,
        )
    # Worker and staff ages disagree: only the woman's occupation category can settle it.
    employee_answers = {age.reached_by(on) for _, scheme_, age in known if scheme_ == "employee"}
    checks: tuple[Check, ...] = ()
    if member.sex == "female" and len(employee_answers) > 1:
        checks = (
            undetermined(
                "pension_age",
                CLAUSE,
                "Whether this member is at the statutory pension age in the employee scheme on "
                "the decision date depends on a woman's occupation category, worker or staff "
                f"({OCCUPATION_CATEGORY}): the two pension ages give different answers.",
                (OCCUPATION_CATEGORY,),
                field=OCCUPATION_CATEGORY,
            ),
        )
    return _AgeVerdict(
        None,
        f"At the pension age of {_listed(reached)}, but below that of {_listed(below)}: which "
        "applies depends on facts the application does not give.",
        checks=checks,
        parameters=refs,
    )


def _listed(items: list[tuple[str, PensionAge]]) -> str:
    return "; ".join(
        f"{label}: {age.describe()}, reached on {age.reached_on.isoformat()}"
        for label, age in items
    )


@dataclass(frozen=True)
class _Months:
    carried_over: int | None
    source: MonthsSource | None
    origin: str
    reason: str


def _months(member: Member, facts: SettlementFacts) -> _Months:
    """The months carried over: as the origin confirmed them, else as the application states."""
    insurance = facts.applicant_insurance
    if member.relation == "applicant":
        stated = insurance.pension_months
        origin = insurance.insured_region_code or member.previous_region_code
    else:
        # The application gives no insurance facts for other members: the origin is taken as
        # the previous registration, where a residents' pension is held (国发〔2014〕8号).
        stated, origin = None, member.previous_region_code
    confirmed = member.confirmed
    if confirmed is not None:
        origin = confirmed.origin_region_code or origin
        differs = stated is not None and stated != confirmed.months
        return _Months(
            confirmed.months,
            "origin_confirmation",
            origin,
            f"The origin ({origin}) confirmed {confirmed.months} months carried over"
            f"{f' (the application stated {stated})' if differs else ''}.",
        )
    if stated is not None:
        return _Months(
            stated,
            "application",
            origin,
            f"{stated} months stated in the application are carried over.",
        )
    return _Months(
        None,
        None,
        origin,
        f"The months carried over are not stated: unknown until the origin ({origin}) confirms "
        "them.",
    )


def _status(
    verdict: _AgeVerdict, choice: _SchemeChoice, months: _Months, confirmed: bool
) -> tuple[ContinuationStatus, str]:
    if verdict.reached is True:
        return "drawing", ""
    if verdict.reached is None or choice.scheme is None:
        return "information_needed", "The continuation waits for the information named."
    origin = months.origin
    if confirmed:
        return "continued", (
            "The relationship continues in Shaoguan on the months the origin confirmed, with "
            "no loss of rights earned."
        )
    if months.carried_over is not None and in_shaoguan(origin):
        return "continued", (
            f"The insurance was held in Shaoguan ({origin}), so the relationship continues in "
            "the city with no transfer between cities and no loss of rights earned."
        )
    if in_shaoguan(origin):
        where = f"the county agency that holds the insurance ({origin})"
    else:
        where = f"the origin ({origin}), outside Shaoguan,"
    return "awaiting_origin", (
        f"The relationship transfers and continues (转移接续) once {where} confirms the months "
        "carried over; the rights earned are kept."
    )


def decide_continuation(
    member: Member, facts: SettlementFacts, parameters: ParameterSet
) -> Continuation:
    """One adult's scheme, months carried over and status under 三(七)."""
    on = facts.decision_date
    age = age_on(member.birth_date, on)
    choice = choose_scheme(member, facts, parameters)
    verdict = judge_pension_age(member, choice.scheme, on)
    months = _months(member, facts)
    status, status_reason = _status(verdict, choice, months, member.confirmed is not None)
    reason = " ".join(
        part
        for part in (
            f"{who(member)} is {age} on {on.isoformat()}, an adult.",
            choice.reason,
            verdict.reason,
            months.reason,
            status_reason,
        )
        if part
    )
    return Continuation(
        member_index=member.index,
        relation=member.relation,
        age_on_decision_date=age,
        scheme=choice.scheme or "information_needed",
        months_carried_over=months.carried_over,
        months_source=months.source,
        origin_region_code=months.origin,
        status=status,
        reason=reason,
        open_checks=(*choice.checks, *verdict.checks),
        awaiting=status_reason if status == "awaiting_origin" else None,
        parameters=(AGE_OF_MAJORITY.reference(), *verdict.parameters, *choice.parameters),
        pension_age=verdict.decisive.describe() if verdict.decisive else None,
        pension_age_reached_on=verdict.decisive.reached_on if verdict.decisive else None,
    )


def decide_continuations(
    facts: SettlementFacts, parameters: ParameterSet
) -> tuple[Continuation, ...]:
    """One continuation per adult (18 or over on the decision date); none for minors."""
    return tuple(
        decide_continuation(member, facts, parameters)
        for member in facts.members
        if is_adult(member, facts.decision_date)
    )
