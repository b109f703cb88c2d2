"""Dated rules versions and parameters (clause 五): what is in force on a decision date.

Both are the kernel's one dated type (`shared.parameters.Dated`): a version or a value is
looked up with `latest_in_force`, so a newer measure supersedes an older one from its first day.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pydantic import Field

from shared.dates import period
from shared.national import AGE_OF_MAJORITY
from shared.parameters import Dated, Parameter


class RulesVersion(Dated):
    """A measure the rules implement, with the period it is in force (both ends inclusive);
    `valid_to` None: in force until further notice (e.g. an operator-recorded continuation)."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    source: str = Field(min_length=1)

    def describe(self) -> str:
        """The version's id and period, as a case worker reads it."""
        return f"{self.id} ({period(self.valid_from, self.valid_to)})"


SHAOGUAN_2017_TRIAL = RulesVersion(
    id="shaoguan-2017-trial",
    title="韶关市推动非户籍人口在城市落户实施办法(试行)",
    valid_from=date(2017, 10, 23),
    # 本实施办法自印发之日起试行,有效期三年: issued 2017-10-23, so the last day is 2020-10-22.
    valid_to=date(2020, 10, 22),
    source="Shaoguan municipal government office, issued 2017-10-23; a trial, valid three years",
)

RULES_VERSIONS: tuple[RulesVersion, ...] = (SHAOGUAN_2017_TRIAL,)

# 参加城镇社会保险1年以上(含1年): one year, counted in months because insurance is paid monthly.
MINIMUM_INSURED_MONTHS = Parameter(
    name="minimum_insured_months",
    value=12,
    unit="months",
    valid_from=SHAOGUAN_2017_TRIAL.valid_from,
    valid_to=SHAOGUAN_2017_TRIAL.valid_to,
    source="policy 二.2",
    department="public_security",
)

# The policy says only "minor children" (二.3); the age is national law (`shared.national`).
PARAMETERS: tuple[Parameter, ...] = (MINIMUM_INSURED_MONTHS, AGE_OF_MAJORITY)


def describe_versions(versions: Iterable[RulesVersion]) -> str:
    """Every known version with its period, for a reason that explains why none applies."""
    described = [version.describe() for version in versions]
    return "; ".join(described) if described else "none recorded"
