"""Education's own settings: local parameters recorded beside the national ones in code."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.education.rules import NATIONAL_PARAMETERS, SCHOOL_YEAR_START
from shared.parameters import ParameterSet, load_parameters


class EducationSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LUOHU_EDUCATION_", env_file=".env", extra="ignore"
    )

    # A JSON list of shared.parameters.LocalParameter, or the path of a JSON file holding one,
    # e.g. a county's primary_entry_age of 7 (Compulsory Education Law art. 11 lets a region
    # defer entry to seven). The rules need none: the ages are national law, shipped in code.
    parameters: str | None = None

    def parameter_set(self) -> ParameterSet:
        """The national parameters, then the configured ones (which supersede from their date)."""
        configured = load_parameters(self.parameters).parameters
        fixed = [p for p in configured if p.name == SCHOOL_YEAR_START.name]
        if fixed:
            raise ValueError(
                "school_year_start is national practice and cannot be configured: every "
                "settlement's school year hangs on it"
            )
        return ParameterSet(NATIONAL_PARAMETERS + configured)


def education_parameters() -> ParameterSet:
    """The parameters in force now, read from the environment at each use (no restart)."""
    return EducationSettings().parameter_set()
