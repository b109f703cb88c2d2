"""Medical insurance's own settings: the local parameters human resources sets (三(六))."""

from __future__ import annotations

from functools import cache

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.medical_insurance.rules import (
    MINIMUM_WORKING_AGE,
    NATIONAL_PARAMETERS,
    ORIGIN_CONFIRMATION_DAYS,
    PRESUME_RURAL_MEMBERS_INSURED,
)
from shared.parameters import LocalParameter, ParameterSet, load_parameters


class MedicalInsuranceSettings(BaseSettings):
    """`LUOHU_MEDICAL_INSURANCE_PARAMETERS`: a JSON list of local parameters, or a file path.

    Known names: `origin_confirmation_days` (days after the decision date for the origin to
    confirm a transfer; a whole number, 0 or more) and `presume_rural_members_insured_at_origin`
    (true or false). None ships with a value: the department records each, dated, with its
    source.
    """

    model_config = SettingsConfigDict(
        env_prefix="LUOHU_MEDICAL_INSURANCE_", env_file=".env", extra="ignore"
    )

    parameters: str | None = None

    def parameter_set(self) -> ParameterSet:
        """The configured parameters and the national ones the code carries, checked."""
        return _parameter_set(self.parameters)


def _check(parameter: LocalParameter) -> None:
    value = parameter.value
    if parameter.name == ORIGIN_CONFIRMATION_DAYS and (
        isinstance(value, bool) or not isinstance(value, int) or value < 0
    ):
        raise ValueError(f"{ORIGIN_CONFIRMATION_DAYS} must be a whole number of days, 0 or more")
    if parameter.name == PRESUME_RURAL_MEMBERS_INSURED and not isinstance(value, bool):
        raise ValueError(f"{PRESUME_RURAL_MEMBERS_INSURED} must be true or false")
    if parameter.name == MINIMUM_WORKING_AGE:
        raise ValueError(f"{MINIMUM_WORKING_AGE} is national law and is not set locally")


@cache
def _parameter_set(source: str | None) -> ParameterSet:
    configured = load_parameters(source)
    for parameter in configured.parameters:
        _check(parameter)
    return ParameterSet(configured.parameters + NATIONAL_PARAMETERS)


def current_parameters() -> ParameterSet:
    """The parameters as configured now (read from the environment on each call, cached)."""
    return MedicalInsuranceSettings().parameter_set()
