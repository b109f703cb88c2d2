"""The residence permit service's own settings: later versions of the national values."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.residence_permit.rules import national_parameters
from shared.parameters import ParameterSet, load_parameters


class ResidencePermitSettings(BaseSettings):
    """`LUOHU_RESIDENCE_PERMIT_PARAMETERS`: a JSON list of parameters, or a file holding one.

    The service needs no local parameter: every number it uses is national law and ships
    dated in `rules/national.py`. A value recorded here (with its source and department) is
    a later version of one of them, e.g. an amendment of the regulations; it applies from its
    own `valid_from`, and decisions record which version they used.
    """

    model_config = SettingsConfigDict(
        env_prefix="LUOHU_RESIDENCE_PERMIT_", env_file=".env", extra="ignore"
    )

    parameters: str | None = None

    def parameter_set(self) -> ParameterSet:
        return national_parameters(*load_parameters(self.parameters).parameters)
