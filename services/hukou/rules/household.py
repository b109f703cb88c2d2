"""The rules every channel applies: the whole household (二.3) and rural rights kept (三(四))."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from services.hukou.domain import ApplicationFacts, Person
from services.hukou.rules.base import cite, parameter_or_check
from services.hukou.rules.parameters import PARAMETERS
from shared.dates import age_on
from shared.identity import mask_id_number
from shared.national import AGE_OF_MAJORITY
from shared.parameters import Parameter
from shared.rules import Check, failed, passed

_CLAUSE = "二.3"
_WHO_SETTLES = (
    "under clause 二.3 only the spouse, minor children and parents settle with the applicant"
)
_ON_THEIR_OWN = (
    "They are left out of this application, which is decided for the others (the text "
    "encourages whole families, 举家进城落户, and never makes one member sink the rest), and "
    "may apply on their own under any channel of clause 二."
)


@dataclass(frozen=True)
class MemberPlace:
    """A household member's place under 二.3, and the check that says why.

    `joins`: True, the member settles with the applicant; False, the member is left out of
    the application (or cannot be placed at all); None, not decided yet. `index` is n for
    `household[n-1]`.
    """

    index: int
    joins: bool | None
    check: Check


def check_household(
    facts: ApplicationFacts, parameters: Sequence[Parameter] = PARAMETERS
) -> tuple[Check, ...]:
    """二.3 (举家进城落户): the spouse, minor children and parents settle with the applicant;
    anyone else listed is left out of the application, never a reason to refuse the rest."""
    members = tuple(place.check for place in member_places(facts, parameters))
    return (_check_single_spouse(facts), _check_distinct_people(facts), *members)


def member_places(
    facts: ApplicationFacts, parameters: Sequence[Parameter] = PARAMETERS
) -> tuple[MemberPlace, ...]:
    """Each household member's place in the application, in the order they are listed."""
    return tuple(
        _place_member(facts, number, member, parameters)
        for number, member in enumerate(facts.household, start=1)
    )


def _describe(number: int, member: Person) -> str:
    # Birth date and relation identify a member to a case worker without the identity number.
    return f"household member {number} ({member.relation}, born {member.birth_date.isoformat()})"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _check_single_spouse(facts: ApplicationFacts) -> Check:
    rule = "household.single_spouse"
    spouses = [n for n, m in enumerate(facts.household, start=1) if m.relation == "spouse"]
    if len(spouses) > 1:
        listed = ", ".join(str(n) for n in spouses)
        return failed(
            rule,
            _CLAUSE,
            f"{len(spouses)} spouses are listed (household members {listed}); an applicant has "
            "at most one spouse.",
        )
    return passed(rule, _CLAUSE, "One spouse is listed." if spouses else "No spouse is listed.")


def _check_distinct_people(facts: ApplicationFacts) -> Check:
    rule = "household.distinct_people"
    listed: defaultdict[str, list[str]] = defaultdict(list)
    listed[_normalise(facts.applicant.id_number)].append(
        f"the applicant (born {facts.applicant.birth_date.isoformat()})"
    )
    for number, member in enumerate(facts.household, start=1):
        listed[_normalise(member.id_number)].append(_describe(number, member))
    repeated = [
        f"{mask_id_number(id_number)} is given for {' and '.join(people)}"
        for id_number, people in listed.items()
        if len(people) > 1
    ]
    if repeated:
        return failed(
            rule,
            _CLAUSE,
            f"The same identity number appears more than once: {'; '.join(repeated)}. "
            "Each person is listed once in an application.",
        )
    if not facts.household:
        return passed(rule, _CLAUSE, "The applicant applies alone.")
    return passed(
        rule,
        _CLAUSE,
        f"The application lists {len(facts.household) + 1} people, each with a different "
        "identity number.",
    )


def _normalise(id_number: str) -> str:
    # The check character X may arrive in either case; it is the same number.
    return id_number.strip().upper()


def _place_member(
    facts: ApplicationFacts, number: int, member: Person, parameters: Sequence[Parameter]
) -> MemberPlace:
    rule = "household.member"
    who, on = _describe(number, member), facts.decision_date

    def joins(reason: str) -> MemberPlace:
        return MemberPlace(number, True, passed(rule, _CLAUSE, reason))

    def left_out(reason: str, clause: str = _CLAUSE) -> MemberPlace:
        return MemberPlace(number, False, passed(rule, clause, f"{reason} {_ON_THEIR_OWN}"))

    # Before `age_on`, which refuses a day before the birth date: such a member fails here.
    if member.birth_date > on:
        return MemberPlace(
            number,
            False,
            failed(
                rule,
                _CLAUSE,
                f"The birth date of {who} is after the decision date {on.isoformat()}; "
                "check the birth date.",
            ),
        )
    if facts.channel == "rural_student":
        # 二.5: 高校录取的农村籍学生可根据本人意愿,将户口迁至高校所在地 - the student's own.
        return left_out(
            f"{_capital(who)} does not move with the student: clause 二.5 moves the student's "
            "own registration (根据本人意愿,将户口迁至高校所在地 / 迁回原籍地或迁入就(创)业地).",
            "二.5",
        )
    if member.relation in ("spouse", "parent"):
        return joins(f"{_capital(who)} settles with the applicant.")
    if member.relation != "child":
        return left_out(f"{_capital(who)} cannot settle in this application: {_WHO_SETTLES}.")
    majority = parameter_or_check(AGE_OF_MAJORITY.name, on, parameters, rule=rule, clause=_CLAUSE)
    if isinstance(majority, Check):
        return MemberPlace(number, None, majority)
    age, cited = age_on(member.birth_date, on), f"({cite(majority)})"
    if age >= int(majority.value):
        return left_out(
            f"{_capital(who)} is {age} on {on.isoformat()}, an adult: only minor children "
            f"settle with the applicant {cited}."
        )
    return joins(
        f"{_capital(who)} is {age} on {on.isoformat()}, a minor, and settles with the "
        f"applicant {cited}."
    )


# --- 三(四) rural rights -------------------------------------------------------------------------

_RIGHTS = (
    "land contract rights (土地承包权)",
    "homestead use rights (宅基地使用权)",
    "collective income distribution rights (集体收益分配权)",
)


def check_rural_rights(
    facts: ApplicationFacts, parameters: Sequence[Parameter] = PARAMETERS
) -> tuple[Check, ...]:
    """三(四): rural rights are kept and never weigh on eligibility; this check always passes."""
    rights = facts.rural_rights
    declared = (rights.land_contract, rights.homestead, rights.collective_income) if rights else ()
    held = [words for value, words in zip(declared, _RIGHTS, strict=False) if value is True]
    if rights is None:
        stated = "No rural rights are declared."
    elif held:
        stated = f"The applicant holds {', '.join(held)}."
    else:
        stated = "The applicant declares no rural rights held."
    return (
        passed(
            "rural_rights.kept",
            "三(四)",
            f"{stated} Rural rights are kept after settlement and play no part in eligibility: "
            "no one may be required to give them up, nor may giving them up be a condition of "
            "settlement.",
        ),
    )
