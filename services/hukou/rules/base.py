"""What every rule shares: the rule signature, check constructors and dates in words."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from services.hukou.domain import ApplicationFacts, Check
from services.hukou.rules.parameters import Parameter, parameter_in_force, period


class Rule(Protocol):
    """A clause as code: the facts and the parameters in hand, the checks out.

    Every rule takes the same arguments, including those that use no parameter, so that the
    channel table can call any of them the same way.
    """

    def __call__(
        self, facts: ApplicationFacts, parameters: Sequence[Parameter], /
    ) -> tuple[Check, ...]: ...


def passed(rule: str, clause: str, reason: str) -> Check:
    """A rule that is met."""
    return Check(rule=rule, clause=clause, outcome="passed", reason=reason)


def failed(rule: str, clause: str, reason: str) -> Check:
    """A rule that is not met, on facts that are known."""
    return Check(rule=rule, clause=clause, outcome="failed", reason=reason)


def undetermined(rule: str, clause: str, reason: str, missing: Sequence[str] = ()) -> Check:
    """A rule that cannot be decided, naming the facts it still needs."""
    return Check(
        rule=rule, clause=clause, outcome="undetermined", reason=reason, missing=tuple(missing)
    )


def parameter_or_check(
    name: str, on: date, parameters: Sequence[Parameter], *, rule: str, clause: str
) -> Parameter | Check:
    """The parameter in force on `on`, or an undetermined check saying that none is recorded."""
    parameter = parameter_in_force(name, on, parameters)
    if parameter is not None:
        return parameter
    known = [p for p in parameters if p.name == name]
    periods = "; ".join(
        f"{p.value}, {period(p.valid_from, p.valid_to)} ({p.source})" for p in known
    )
    return undetermined(
        rule,
        clause,
        f"No value of the parameter {name} is in force on {on.isoformat()}, so this rule "
        f"cannot be applied. Values recorded: {periods or 'none'}. A value valid on that date "
        "must be recorded, with its source, before the application can be decided.",
    )


def age_on(birth_date: date, on: date) -> int:
    """Completed years of age (周岁) on `on`; a person turns a year older on their birthday.

    Someone born on 29 February turns a year older on 1 March in a common year.
    """
    had_birthday = (on.month, on.day) >= (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (0 if had_birthday else 1)


def mask_identity_number(id_number: str) -> str:
    """An identity number as a reason may show it: "4402**********123X", never in full.

    The same shape as shared.identity's masking, kept here so that the rules import nothing
    that loads data; a malformed input keeps even less, so no input is ever shown whole.
    """
    text = id_number.strip().upper()
    keep = 4 if len(text) == 18 else 2 if len(text) > 4 else 0
    if keep == 0:
        return "*" * len(text)
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]
