"""The settlement decision: the rules version in force (五), the channel's rules, then the rest."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from services.hukou.domain import ApplicationFacts, Decision, DecisionOutcome
from services.hukou.rules.base import Rule
from services.hukou.rules.channels import (
    check_collective_household,
    check_insured_one_year,
    check_stable_residence,
    check_talent,
)
from services.hukou.rules.evidence import check_permit_evidence
from services.hukou.rules.household import check_household, check_rural_rights, member_places
from services.hukou.rules.members import decide_members, undecided_members
from services.hukou.rules.parameters import (
    PARAMETERS,
    RULES_VERSIONS,
    RulesVersion,
    describe_versions,
)
from services.hukou.rules.students import check_rural_student
from shared.dates import period
from shared.parameters import Parameter, latest_in_force
from shared.rules import Check, CheckOutcome, failed, outcome_of, passed, undetermined

# Each channel of clause 二 and the rule that decides it. The targets (一.1, 二.7) are
# absent on purpose: they steer the city's work and never refuse an eligible person.
CHANNEL_RULES: Mapping[str, Rule] = {
    "stable_residence": check_stable_residence,  # 二.1
    "insured_one_year": check_insured_one_year,  # 二.2
    "talent": check_talent,  # 二.4
    "rural_student": check_rural_student,  # 二.5
    "collective_household": check_collective_household,  # 二.6
}

# Whatever the channel: the household settles together (二.3); rural rights are kept (三(四)).
COMMON_RULES: tuple[Rule, ...] = (check_household, check_permit_evidence, check_rural_rights)


def decide_eligibility(
    facts: ApplicationFacts,
    *,
    versions: Sequence[RulesVersion] = RULES_VERSIONS,
    parameters: Sequence[Parameter] = PARAMETERS,
) -> Decision:
    """Decide whether the applicant may settle, under the rules version in force on the date,
    and who of the household settles with them (二.3)."""
    # Where an operator recorded a successor whose period overlaps an earlier one, the version
    # that took effect last wins: a newer measure supersedes the older one from its first day.
    version = latest_in_force(versions, facts.decision_date)
    if version is None:
        # Deciding under an expired or future measure would apply rules nobody enacted for the
        # date, so nothing else is checked until an operator records a version in force.
        checks: tuple[Check, ...] = (check_no_rules_in_force(facts.decision_date, versions),)
        why = f"No rules version is in force on {facts.decision_date.isoformat()}."
        return Decision(
            "undetermined",
            facts.channel,
            None,
            facts.decision_date,
            checks,
            undecided_members(facts, why),
        )
    channel_rule = CHANNEL_RULES.get(facts.channel, check_unknown_channel)
    checks = (
        check_rules_in_force(version, facts.decision_date),
        *channel_rule(facts, parameters),
        *(check for rule in COMMON_RULES for check in rule(facts, parameters)),
    )
    outcome = decision_outcome(checks)
    members = decide_members(facts, outcome, checks, member_places(facts, parameters))
    return Decision(outcome, facts.channel, version.id, facts.decision_date, checks, members)


_DECISION_OF: Mapping[CheckOutcome, DecisionOutcome] = {
    "passed": "eligible",
    "failed": "ineligible",
    "undetermined": "undetermined",
}


def decision_outcome(checks: Iterable[Check]) -> DecisionOutcome:
    """Any failed check makes the applicant ineligible; else any undetermined one, undetermined."""
    return _DECISION_OF[outcome_of(checks)]


def check_rules_in_force(version: RulesVersion, on: date) -> Check:
    """五: the decision names the rules version it is made under and that version's period."""
    return passed(
        "validity.rules_in_force",
        "五",
        f"Decided under {version.id}, the version in force on {on.isoformat()}: "
        f"{version.title}; {period(version.valid_from, version.valid_to)}; "
        f"source: {version.source}.",
    )


def check_no_rules_in_force(on: date, versions: Iterable[RulesVersion]) -> Check:
    """五: no version is in force on the date, so the application cannot be decided yet."""
    return undetermined(
        "validity.rules_in_force",
        "五",
        f"No rules version is in force on {on.isoformat()}, so no settlement rule was applied. "
        f"Versions known: {describe_versions(versions)}. A successor measure or a continuation "
        "must be recorded, with its source, before this application can be decided.",
    )


def check_unknown_channel(
    facts: ApplicationFacts, parameters: Sequence[Parameter] = PARAMETERS
) -> tuple[Check, ...]:
    """二: a channel the measures do not have cannot be applied under."""
    return (
        failed(
            "channel.known",
            "二",
            f"The channel {facts.channel!r} is not one of clause 二's: {', '.join(CHANNEL_RULES)}.",
        ),
    )
