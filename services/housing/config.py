"""Housing's own settings: the local parameters of housing security (三(五)), checked on load."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.housing.rules import PARAMETER_UNITS
from shared import regions
from shared.parameters import LocalParameter, ParameterSet, load_parameters


class HousingSettings(BaseSettings):
    """`LUOHU_HOUSING_PARAMETERS`: a JSON list of local parameters, or the path of a JSON file.

    No value ships with the code: the policy sets none, so until the housing department records
    its limits (with their source) every household is assessed `information_needed`, naming them.
    """

    model_config = SettingsConfigDict(env_prefix="LUOHU_HOUSING_", env_file=".env", extra="ignore")

    parameters: str | None = None

    def parameter_set(self) -> ParameterSet:
        return housing_parameters(self.parameters)


def current_parameters() -> ParameterSet:
    """The parameters configured for this process (read once per configured source)."""
    return HousingSettings().parameter_set()


@lru_cache(maxsize=8)
def housing_parameters(source: str | None) -> ParameterSet:
    """Load and check the parameters: a wrong one stops the service at start, not a decision."""
    loaded = load_parameters(source)
    problems = [problem for p in loaded.parameters for problem in _problems(p)]
    if problems:
        raise ValueError("LUOHU_HOUSING_PARAMETERS is not valid: " + "; ".join(problems))
    return loaded


def _problems(parameter: LocalParameter) -> list[str]:
    name = parameter.name
    expected = PARAMETER_UNITS.get(name)
    if expected is None:
        return [f"{name!r} is not a housing parameter (known: {', '.join(PARAMETER_UNITS)})"]
    problems = []
    value = parameter.value
    if isinstance(value, bool | str) or value <= 0:
        problems.append(f"{name} must be a number above zero, not {value!r}")
    if parameter.unit is not None and parameter.unit != expected:
        # A per-household amount loaded as per person would be wrong by the household's size.
        problems.append(f"{name} is in {expected}, not {parameter.unit}")
    if parameter.region_code is not None and not regions.is_shaoguan_county(parameter.region_code):
        problems.append(
            f"{name} names region {parameter.region_code}, which is not a county of Shaoguan "
            "(leave region_code out for a citywide value)"
        )
    if parameter.valid_to is not None and parameter.valid_to < parameter.valid_from:
        problems.append(f"{name} ends ({parameter.valid_to}) before it begins")
    return problems
