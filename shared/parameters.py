"""Dated parameters: every number a rule uses, national or local, with its period and source.

National values (an age in the Civil Code, a regulation's six months) ship in the code, dated
and citing the law. Where the policy gives no number (an income threshold, a subsidy, a
deadline), the number is a local parameter: set by a named department, dated, citywide or for
one county, with its source recorded, so a decision that used it can say so. The code never
ships a local value presented as policy.

Each service reads its local parameters once, at start, from `LUOHU_<SERVICE>_PARAMETERS` (a
JSON list, or the path of a JSON file holding one) through its `ParameterSource`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared import regions

NATIONAL = "national"
"""The `department` of a value national law sets: no city department may change it."""


class Dated(BaseModel):
    """In force for a period, both ends inclusive; `valid_to` None: until further notice."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    valid_from: date
    valid_to: date | None = None

    def in_force_on(self, on: date) -> bool:
        """Whether a decision dated `on` falls in the period."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


D = TypeVar("D", bound=Dated)


def latest_in_force(items: Iterable[D], on: date) -> D | None:
    """The one in force on `on` that took effect last (a newer decision supersedes), or None."""
    in_force = [item for item in items if item.in_force_on(on)]
    return max(in_force, key=lambda item: item.valid_from) if in_force else None


class Parameter(Dated):
    """One value in force for a period, citywide or for one county, with its source."""

    name: str = Field(min_length=1)
    value: float | int | str | bool
    unit: str | None = None
    region_code: str | None = Field(default=None, description="None: citywide")
    source: str = Field(min_length=1, description="The law, document or decision that set it")
    department: str = Field(min_length=1, description=f"Who set it; {NATIONAL!r} for law")

    @property
    def is_national(self) -> bool:
        return self.department == NATIONAL

    def cite(self) -> str:
        """The value with its source, to attach to a reason that used it."""
        unit = f" {self.unit}" if self.unit else ""
        where = f" in {self.region_code}" if self.region_code else ""
        who = "national law" if self.is_national else f"local parameter set by {self.department}"
        return (
            f"{self.name} = {self.value}{unit}{where} ({who}, "
            f"from {self.valid_from.isoformat()}; source: {self.source})"
        )

    def reference(self) -> dict[str, Any]:
        """What a decision records of the parameter version it used."""
        return {
            "name": self.name,
            "value": self.value,
            "region_code": self.region_code,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "source": self.source,
        }


def national(
    name: str,
    value: float | int | str | bool,
    *,
    unit: str | None,
    valid_from: date,
    source: str,
    valid_to: date | None = None,
) -> Parameter:
    """A value national law sets, shipped in the code with the law it cites."""
    return Parameter(
        name=name,
        value=value,
        unit=unit,
        valid_from=valid_from,
        valid_to=valid_to,
        source=source,
        department=NATIONAL,
    )


@dataclass(frozen=True)
class ParameterSet:
    """The parameters a service knows; looks up the one in force for a date and a county."""

    parameters: tuple[Parameter, ...] = ()

    def in_force(self, name: str, on: date, region_code: str | None = None) -> Parameter | None:
        """The county's own value when it has one, else the citywide value; the latest
        `valid_from` wins when periods overlap (a newer decision supersedes)."""
        named = [p for p in self.parameters if p.name == name]
        for scope in (region_code, None):
            found = latest_in_force((p for p in named if p.region_code == scope), on)
            if found is not None:
                return found
        return None

    def named(self, name: str) -> list[Parameter]:
        """Every version of one parameter, to list in a reason when none is in force."""
        return [p for p in self.parameters if p.name == name]

    def __add__(self, other: ParameterSet) -> ParameterSet:
        return ParameterSet(self.parameters + other.parameters)


def parse_parameters(source: str | Path | None) -> tuple[Parameter, ...]:
    """Read a JSON list of parameters from a file path, or from JSON text itself."""
    if source is None or str(source).strip() == "":
        return ()
    text = str(source) if str(source).lstrip().startswith("[") else Path(source).read_text()
    raw = json.loads(text)
    if not isinstance(raw, list):
        raise ValueError("parameters must be a JSON list")
    return tuple(Parameter.model_validate(item) for item in raw)


ParameterCheck = Callable[[Parameter], Iterable[str]]
"""A service's own checks of one configured parameter: the problems found, in words."""


@dataclass
class ParameterSource:
    """A service's parameters: the national values its code ships, then the ones configured in
    `LUOHU_<SERVICE>_PARAMETERS`, checked, read once and kept for the life of the process.

    A configured value that is wrong stops the service at start (`load`), not one decision.
    `known` lists the names it may configure (empty: any); `fixed` names national values that
    no configuration may supersede.
    """

    service: str
    national: tuple[Parameter, ...] = ()
    known: Collection[str] = ()
    fixed: Collection[str] = ()
    check: ParameterCheck | None = None
    _loaded: ParameterSet | None = field(default=None, init=False, repr=False)

    @property
    def variable(self) -> str:
        return f"LUOHU_{self.service.upper()}_PARAMETERS"

    def load(self) -> ParameterSet:
        """Read and check the configured parameters now, and keep them."""
        try:
            configured = parse_parameters(os.environ.get(self.variable))
        except (OSError, ValueError, ValidationError) as exc:
            raise ValueError(f"{self.variable} cannot be read: {exc}") from exc
        problems = [problem for p in configured for problem in self.problems(p)]
        if problems:
            raise ValueError(f"{self.variable} is not valid: " + "; ".join(problems))
        # One assignment: a thread reading `current()` meanwhile sees the old set or the new.
        self._loaded = ParameterSet(self.national + configured)
        return self._loaded

    def current(self) -> ParameterSet:
        """The parameters this process runs with (loaded at its start)."""
        loaded = self._loaded
        return loaded if loaded is not None else self.load()

    def problems(self, parameter: Parameter) -> list[str]:
        """What is wrong with one configured parameter, in words an operator can act on."""
        name = parameter.name
        if name in self.fixed:
            return [f"{name} is national law and cannot be configured"]
        if self.known and name not in self.known:
            return [f"{name!r} is not a {self.service} parameter (known: {', '.join(self.known)})"]
        problems = []
        if parameter.region_code is not None and not regions.is_shaoguan_county(
            parameter.region_code
        ):
            problems.append(
                f"{name} names region {parameter.region_code}, which is not a county of Shaoguan "
                "(leave region_code out for a citywide value)"
            )
        if parameter.valid_to is not None and parameter.valid_to < parameter.valid_from:
            problems.append(f"{name} ends ({parameter.valid_to}) before it begins")
        if self.check is not None:
            problems.extend(self.check(parameter))
        return problems
