"""What every rule shares: the rule signature, and the parameter a rule needs or why it is absent.

Checks and their constructors are the kernel's (`shared.rules`), ages are counted by
`shared.dates.age_on`, and identity numbers in a reason are masked by `shared.identity`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Protocol

from services.hukou.domain import ApplicationFacts
from shared.dates import period
from shared.parameters import Parameter, latest_in_force
from shared.rules import Check, undetermined


class Rule(Protocol):
    """A clause as code: the facts and the parameters in hand, the checks out.

    Every rule takes the same arguments, including those that use no parameter, so that the
    channel table can call any of them the same way.
    """

    def __call__(
        self, facts: ApplicationFacts, parameters: Sequence[Parameter], /
    ) -> tuple[Check, ...]: ...


def parameter_or_check(
    name: str, on: date, parameters: Sequence[Parameter], *, rule: str, clause: str
) -> Parameter | Check:
    """The parameter in force on `on`, or an undetermined check saying that none is recorded."""
    known = [p for p in parameters if p.name == name]
    parameter = latest_in_force(known, on)
    if parameter is not None:
        return parameter
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


def cite(parameter: Parameter) -> str:
    """The value with its source, as hukou's reasons have always shown it ("name = value,
    source: ..."); shorter than `Parameter.cite()`, which adds the unit, who set it and when."""
    return f"{parameter.name} = {parameter.value}, source: {parameter.source}"


def unstated(facts: Mapping[str, object]) -> list[str]:
    """The paths of the facts not stated (None), in order: what an undetermined check needs."""
    return [path for path, value in facts.items() if value is None]
