"""Dated parameters: every number a rule uses, national or local, with its period and source.

National values (an age in the Civil Code, a regulation's six months) ship in the code, dated
and citing the law. Where the policy gives no number (an income threshold, a subsidy, a
deadline), the number is a local parameter: set by a named department, dated, citywide or for
one county, with its source recorded, so a decision that used it can say so. The code never
ships a local value presented as policy.

Each service reads its local parameters at start from `LUOHU_<SERVICE>_PARAMETERS` (a JSON
list, or the path of a JSON file holding one) through its `ParameterSource`; a file is read
again when it changes (`refresh`), so a department records a new value without a restart.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared import regions

log = logging.getLogger(__name__)

NATIONAL = "national"
"""The `department` of a value national law sets: no city department may change it."""

PARAMETERS_DIR = "LUOHU_PARAMETERS_DIR"
"""A folder of `<service>.json` parameter files, for the services without their own variable."""

FOLLOW_THROUGH_DAYS = "follow_through_days"
"""Every department's own deadline (docs/contract.md, "Follow-through"): an open item is due this
many days after it was opened. The measures set none, so it is always a local parameter."""


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
    _stamp: str | None = field(default=None, init=False, repr=False)

    @property
    def variable(self) -> str:
        return f"LUOHU_{self.service.upper()}_PARAMETERS"

    def configured(self) -> str | None:
        """Where the parameters are: the service's own variable, else `<service>.json` in the
        folder `LUOHU_PARAMETERS_DIR` names (one folder for a whole platform), else nowhere."""
        own = os.environ.get(self.variable, "").strip()
        if own:
            return own
        folder = os.environ.get(PARAMETERS_DIR, "").strip()
        if folder and (Path(folder) / f"{self.service}.json").is_file():
            return str(Path(folder) / f"{self.service}.json")
        return None

    def load(self) -> ParameterSet:
        """Read and check the configured parameters now, and keep them."""
        self._stamp = self._file_stamp()
        try:
            configured = parse_parameters(self.configured())
        except (OSError, ValueError, ValidationError) as exc:
            raise ValueError(f"{self.variable} cannot be read: {exc}") from exc
        problems = [problem for p in configured for problem in self.problems(p)]
        if problems:
            raise ValueError(f"{self.variable} is not valid: " + "; ".join(problems))
        # One assignment: a thread reading `current()` meanwhile sees the old set or the new.
        self._loaded = ParameterSet(self.national + configured)
        return self._loaded

    def current(self) -> ParameterSet:
        """The parameters this process runs with (loaded at its start, or since refreshed)."""
        loaded = self._loaded
        return loaded if loaded is not None else self.load()

    def refresh(self) -> bool:
        """Read the parameter file again if it changed; whether the set changed.

        A running service keeps its last good set when the new file is wrong (it logs why):
        a slip in an edit must not stop the decisions already running.
        """
        if self._loaded is None or self._file_stamp() == self._stamp:
            return False
        before = self._loaded
        try:
            after = self.load()
        except ValueError as exc:
            log.error("%s was changed but is not used: %s", self.variable, exc)
            return False
        return after != before

    def _file_stamp(self) -> str | None:
        """A digest of the configured file's content (a file of parameters is small, and a
        digest misses no change a coarse modification time would); None for JSON given in
        the variable itself, which only a restart changes."""
        source = self.configured()
        if source is None or source.startswith("["):
            return None
        try:
            return hashlib.sha256(Path(source).read_bytes()).hexdigest()
        except OSError:
            return None

    def problems(self, parameter: Parameter) -> list[str]:
        """What is wrong with one configured parameter, in words an operator can act on."""
        name = parameter.name
        if name in self.fixed:
            return [f"{name} is national law and cannot be configured"]
        if name == FOLLOW_THROUGH_DAYS:
            return _scope_problems(parameter) + _days_problems(parameter)
        if self.known and name not in self.known:
            return [f"{name!r} is not a {self.service} parameter (known: {', '.join(self.known)})"]
        problems = _scope_problems(parameter)
        if self.check is not None:
            problems.extend(self.check(parameter))
        return problems


def _scope_problems(parameter: Parameter) -> list[str]:
    """What every configured parameter must be: for a county of Shaoguan, a real period."""
    name = parameter.name
    problems = []
    if parameter.region_code is not None and not regions.is_shaoguan_county(parameter.region_code):
        problems.append(
            f"{name} names region {parameter.region_code}, which is not a county of Shaoguan "
            "(leave region_code out for a citywide value)"
        )
    if parameter.valid_to is not None and parameter.valid_to < parameter.valid_from:
        problems.append(f"{name} ends ({parameter.valid_to}) before it begins")
    return problems


def _days_problems(parameter: Parameter) -> list[str]:
    value = parameter.value
    problems = []
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.append(
            f"{parameter.name} must be a whole number of days, at least 1, not {value!r}"
        )
    if parameter.unit not in (None, "days"):
        problems.append(f"{parameter.name} is in days, not {parameter.unit}")
    return problems
