"""Dated local parameters: values the policy leaves to the city, each with its source."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class LocalParameter(BaseModel):
    """One value in force for a period (both ends inclusive), citywide or for one county.

    Where the policy gives no number (an income threshold, a subsidy amount), the number is
    a local parameter: set by a named department, dated, and with its source recorded, so a
    decision that used it can say so. Never an invented figure presented as policy.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    value: float | int | str | bool
    unit: str | None = None
    region_code: str | None = Field(default=None, description="None: citywide")
    valid_from: date
    valid_to: date | None = None
    source: str = Field(min_length=1, description="The document or decision that set it")
    department: str = Field(min_length=1)

    def in_force_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def cite(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        where = f" in {self.region_code}" if self.region_code else ""
        return (
            f"{self.name} = {self.value}{unit}{where} (local parameter set by {self.department}, "
            f"from {self.valid_from.isoformat()}; source: {self.source})"
        )

    def reference(self) -> dict[str, Any]:
        """What a decision records of the parameter version it used."""
        return {
            "name": self.name,
            "value": self.value,
            "region_code": self.region_code,
            "valid_from": self.valid_from.isoformat(),
            "source": self.source,
        }


@dataclass(frozen=True)
class ParameterSet:
    """The parameters a service knows; looks up the one in force for a date and a county."""

    parameters: tuple[LocalParameter, ...] = ()

    def in_force(
        self, name: str, on: date, region_code: str | None = None
    ) -> LocalParameter | None:
        """The county's own value when it has one, else the citywide value; the latest
        `valid_from` wins when periods overlap (a newer decision supersedes)."""
        candidates = [p for p in self.parameters if p.name == name and p.in_force_on(on)]
        for scope in (region_code, None):
            scoped = [p for p in candidates if p.region_code == scope]
            if scoped:
                return max(scoped, key=lambda p: p.valid_from)
        return None

    def named(self, name: str) -> list[LocalParameter]:
        """Every version of one parameter, to list in a reason when none is in force."""
        return [p for p in self.parameters if p.name == name]


def load_parameters(source: str | Path | None) -> ParameterSet:
    """Read a JSON list of parameters from a file path, or from JSON text itself."""
    if source is None or source == "":
        return ParameterSet()
    text = Path(source).read_text() if not str(source).lstrip().startswith("[") else str(source)
    raw = json.loads(text)
    if not isinstance(raw, list):
        raise ValueError("local parameters must be a JSON list")
    return ParameterSet(tuple(LocalParameter.model_validate(item) for item in raw))
