"""Pension's own settings: the dated local parameters the city sets (none ship in code)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.pension.rules import (
    DEFAULT_SCHEME_FOR_NON_EMPLOYED_ADULTS,
    MINIMUM_LIVING_STANDARD,
    PARAMETER_NAMES,
    SCHEMES,
    amount,
)
from shared import regions
from shared.parameters import LocalParameter, ParameterSet, load_parameters


class PensionSettings(BaseSettings):
    """`LUOHU_PENSION_PARAMETERS`: a JSON list of local parameters, or the path of a JSON file.

    - `minimum_living_standard`: yuan per person per month, per county (or citywide), set by
      civil affairs (最低生活保障标准).
    - `default_scheme_for_non_employed_adults` (optional): `urban_rural_resident` or
      `employee`, the scheme presumed for adults other than the applicant, whose employment
      the application does not state; without it their scheme is "information needed".
    """

    model_config = SettingsConfigDict(env_prefix="LUOHU_PENSION_", env_file=".env", extra="ignore")

    parameters: str | None = None

    def parameter_set(self) -> ParameterSet:
        """The parameters, checked: a wrong one stops the service rather than a decision."""
        loaded = load_parameters(self.parameters)
        for parameter in loaded.parameters:
            check_parameter(parameter)
        return loaded


def check_parameter(parameter: LocalParameter) -> None:
    """Refuse a parameter pension does not know or whose value cannot be what its name says."""
    where = f"local parameter {parameter.name}"
    if parameter.name not in PARAMETER_NAMES:
        known = ", ".join(PARAMETER_NAMES)
        raise ValueError(f"{where} is not one pension uses; known: {known}")
    if parameter.region_code is not None and not regions.is_shaoguan_county(parameter.region_code):
        raise ValueError(f"{where}: {parameter.region_code} is not a county of Shaoguan")
    if parameter.name == MINIMUM_LIVING_STANDARD and amount(parameter.value) is None:
        raise ValueError(f"{where} must be a positive amount of yuan, not {parameter.value!r}")
    if parameter.name == DEFAULT_SCHEME_FOR_NON_EMPLOYED_ADULTS and parameter.value not in SCHEMES:
        raise ValueError(f"{where} must be one of {', '.join(SCHEMES)}, not {parameter.value!r}")


def pension_parameters() -> ParameterSet:
    """The parameters as configured now; a decision picks the version in force on its date."""
    return PensionSettings().parameter_set()
