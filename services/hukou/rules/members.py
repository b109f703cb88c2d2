"""Who of an application settles (二.3): the applicant by the decision, each member by their place.

二.3 encourages the whole family to settle (促进……农业转移人口举家进城落户): the spouse, minor
children and parents settle with an eligible applicant; a member who cannot is left out of the
application with the reason, and the others are decided all the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from services.hukou.domain import ApplicationFacts, DecisionOutcome, MemberDecision
from services.hukou.rules.household import MemberPlace
from shared.rules import Check

# The clause of each channel of 二, which decides whether the applicant settles.
CHANNEL_CLAUSES: Mapping[str, str] = {
    "stable_residence": "二.1",
    "insured_one_year": "二.2",
    "talent": "二.4",
    "rural_student": "二.5",
    "collective_household": "二.6",
}

_SETTLES: Mapping[DecisionOutcome, bool | None] = {
    "eligible": True,
    "ineligible": False,
    "undetermined": None,
}


def decide_members(
    facts: ApplicationFacts,
    outcome: DecisionOutcome,
    checks: Sequence[Check],
    places: Sequence[MemberPlace],
) -> tuple[MemberDecision, ...]:
    """The applicant settles exactly when the application is eligible; a member who joins the
    applicant settles with them, a member left out never does."""
    applicant = MemberDecision(
        0,
        "applicant",
        _SETTLES[outcome],
        CHANNEL_CLAUSES.get(facts.channel, "二"),
        _applicant_reason(facts.channel, outcome, checks),
    )
    return (applicant, *(_member(place, facts, outcome) for place in places))


def undecided_members(facts: ApplicationFacts, why: str) -> tuple[MemberDecision, ...]:
    """Everyone undecided, for the same reason: no rule could be applied."""
    people = (facts.applicant, *facts.household)
    return tuple(
        MemberDecision(index, person.relation, None, "五", why)
        for index, person in enumerate(people)
    )


def _applicant_reason(channel: str, outcome: DecisionOutcome, checks: Sequence[Check]) -> str:
    if outcome == "eligible":
        return f"The applicant is eligible under the {channel} channel and settles."
    if outcome == "ineligible":
        rules = ", ".join(dict.fromkeys(c.rule for c in checks if c.outcome == "failed"))
        return f"The applicant is not eligible under the {channel} channel (failed: {rules})."
    rules = ", ".join(dict.fromkeys(c.rule for c in checks if c.outcome == "undetermined"))
    return (
        f"Whether the applicant settles under the {channel} channel cannot be decided yet "
        f"(undetermined: {rules})."
    )


def _member(
    place: MemberPlace, facts: ApplicationFacts, outcome: DecisionOutcome
) -> MemberDecision:
    relation, check = facts.household[place.index - 1].relation, place.check

    def decided(settles: bool | None, then: str = "") -> MemberDecision:
        reason = f"{check.reason} {then}" if then else check.reason
        return MemberDecision(place.index, relation, settles, check.clause, reason)

    if place.joins is False:
        return decided(False)
    if outcome == "ineligible":
        return decided(False, "They settle only with the applicant (二.3), who is not eligible.")
    if place.joins is None:
        return decided(None)
    if outcome == "undetermined":
        return decided(
            None,
            "They settle with the applicant (二.3) once the applicant's eligibility is decided.",
        )
    return decided(True)
