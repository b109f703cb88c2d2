"""The shape of every decision: checks that pass, fail or cannot yet be decided.

A rule is a plain function over plain facts that returns `Check`s, each naming the rule, the
clause it applies and a reason in words a case worker reads. Missing information is never a
silent zero or false: the check is `undetermined` and names the facts it still needs, as paths
in the application's own names (`social_insurance.medical_months`, `parameters.<name>`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

CheckOutcome = Literal["passed", "failed", "undetermined"]


@dataclass(frozen=True)
class Check:
    """One rule applied to the facts: its outcome, why, and which facts it still needs.

    `field` names the input the check is about, where one input is (a 422 points at it);
    `regulation` cites the national law beside the policy clause, where one applies.
    """

    rule: str
    clause: str
    outcome: CheckOutcome
    reason: str
    missing: tuple[str, ...] = ()
    field: str | None = None
    regulation: str | None = None

    @property
    def passed(self) -> bool:
        """Whether the rule is met (an undetermined check is not passed)."""
        return self.outcome == "passed"


def passed(
    rule: str, clause: str, reason: str, *, field: str | None = None, regulation: str | None = None
) -> Check:
    """A rule that is met."""
    return Check(rule, clause, "passed", reason, field=field, regulation=regulation)


def failed(
    rule: str, clause: str, reason: str, *, field: str | None = None, regulation: str | None = None
) -> Check:
    """A rule that is not met, on facts that are known."""
    return Check(rule, clause, "failed", reason, field=field, regulation=regulation)


def undetermined(
    rule: str,
    clause: str,
    reason: str,
    missing: Sequence[str] = (),
    *,
    field: str | None = None,
    regulation: str | None = None,
) -> Check:
    """A rule that cannot be decided yet, naming the facts it still needs."""
    return Check(
        rule, clause, "undetermined", reason, tuple(missing), field=field, regulation=regulation
    )


def outcome_of(checks: Iterable[Check]) -> CheckOutcome:
    """All checks together: failed if any failed, else undetermined if any is, else passed."""
    outcomes = {check.outcome for check in checks}
    if "failed" in outcomes:
        return "failed"
    if "undetermined" in outcomes:
        return "undetermined"
    return "passed"


def missing_of(checks: Iterable[Check]) -> tuple[str, ...]:
    """The facts still needed over all checks, each once, in the order the checks ask."""
    return tuple(dict.fromkeys(path for check in checks for path in check.missing))


def failures(checks: Iterable[Check]) -> tuple[Check, ...]:
    """The checks that failed: the reasons a refused applicant is told."""
    return tuple(check for check in checks if check.outcome == "failed")


def parameter_field(name: str) -> str:
    """How a missing parameter is named among missing facts: `parameters.<name>`."""
    return f"parameters.{name}"
