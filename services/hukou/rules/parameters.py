"""Dated rules versions and parameters (clause 五): what is in force on a decision date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RulesVersion:
    """A measure the rules implement, with the period it is in force (both ends inclusive)."""

    id: str
    title: str
    valid_from: date
    # None: in force until further notice (e.g. an operator-recorded continuation).
    valid_to: date | None
    source: str

    def in_force_on(self, on: date) -> bool:
        """Whether a decision dated `on` falls in this version's period."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def describe(self) -> str:
        """The version's id and period, as a case worker reads it."""
        return f"{self.id} ({period(self.valid_from, self.valid_to)})"


@dataclass(frozen=True)
class Parameter:
    """A number a rule uses, with the period it holds, where it comes from and who sets it."""

    name: str
    value: int
    valid_from: date
    valid_to: date | None
    source: str
    department: str

    def in_force_on(self, on: date) -> bool:
        """Whether this value holds for a decision dated `on`."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def cite(self) -> str:
        """The value with its source, to attach to a reason that used it."""
        return f"{self.name} = {self.value}, source: {self.source}"


def period(valid_from: date, valid_to: date | None) -> str:
    """A validity period in words, both ends inclusive."""
    if valid_to is None:
        return f"in force from {valid_from.isoformat()} until further notice"
    return f"in force {valid_from.isoformat()} to {valid_to.isoformat()}"


SHAOGUAN_2017_TRIAL = RulesVersion(
    id="shaoguan-2017-trial",
    title="韶关市推动非户籍人口在城市落户实施办法(试行)",
    valid_from=date(2017, 10, 23),
    # 本实施办法自印发之日起试行,有效期三年: issued 2017-10-23, so the last day is 2020-10-22.
    valid_to=date(2020, 10, 22),
    source="Shaoguan municipal government office, issued 2017-10-23; a trial, valid three years",
)

RULES_VERSIONS: tuple[RulesVersion, ...] = (SHAOGUAN_2017_TRIAL,)

MINIMUM_INSURED_MONTHS = "minimum_insured_months"
AGE_OF_MAJORITY = "age_of_majority"

PARAMETERS: tuple[Parameter, ...] = (
    # 参加城镇社会保险1年以上(含1年): one year, counted in months because insurance is paid monthly.
    Parameter(
        name=MINIMUM_INSURED_MONTHS,
        value=12,
        valid_from=SHAOGUAN_2017_TRIAL.valid_from,
        valid_to=SHAOGUAN_2017_TRIAL.valid_to,
        source="policy 二.2",
        department="public_security",
    ),
    # The policy says only "minor children" (二.3); the age is national law. The Civil Code took
    # art. 17 over unchanged from the General Provisions of the Civil Law (2017), and the General
    # Principles (1987, art. 11) already set 18, so the value holds from 1987 without a gap.
    Parameter(
        name=AGE_OF_MAJORITY,
        value=18,
        valid_from=date(1987, 1, 1),
        valid_to=None,
        source="national law: PRC Civil Code art. 17",
        department="national",
    ),
)


def rules_in_force(on: date, versions: Iterable[RulesVersion]) -> RulesVersion | None:
    """The rules version a decision dated `on` is made under, or None if none is in force.

    Where an operator recorded a successor whose period overlaps an earlier one, the version
    that took effect last wins: a newer measure supersedes the older one from its first day.
    """
    in_force = [version for version in versions if version.in_force_on(on)]
    if not in_force:
        return None
    return max(in_force, key=lambda version: version.valid_from)


def parameter_in_force(name: str, on: date, parameters: Iterable[Parameter]) -> Parameter | None:
    """The value of parameter `name` that holds on `on` (the latest to take effect), or None."""
    in_force = [p for p in parameters if p.name == name and p.in_force_on(on)]
    if not in_force:
        return None
    return max(in_force, key=lambda parameter: parameter.valid_from)


def describe_versions(versions: Iterable[RulesVersion]) -> str:
    """Every known version with its period, for a reason that explains why none applies."""
    described = [version.describe() for version in versions]
    return "; ".join(described) if described else "none recorded"
