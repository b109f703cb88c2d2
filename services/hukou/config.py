"""Hukou's own settings: rules versions an operator records beyond the ones the code ships."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.hukou.rules import PARAMETERS, RULES_VERSIONS, RulesVersion
from shared.parameters import Parameter


class RecordedRulesVersion(BaseModel):
    """A measure public security records as in force after the shipped ones: a decision that
    continues the 2017 trial measures, say. A dated local parameter: its source is required.
    It applies the same rules, with the parameter values in force on the last day of the
    version it continues."""

    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    valid_from: date
    valid_to: date | None = None
    source: str = Field(min_length=1, description="The document that put it in force")
    continues: str = "shaoguan-2017-trial"


class HukouSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LUOHU_HUKOU_", env_file=".env", extra="ignore")

    # JSON, e.g. LUOHU_HUKOU_RECORDED_RULES_VERSIONS='[{"id": ..., "source": ...}]'
    recorded_rules_versions: list[RecordedRulesVersion] = []
    # The residence permit service, consulted for evidence of residence; unset: not consulted.
    residence_permit_url: str | None = None
    # Housing and education, asked for the supply shown beside the targets (二.7); unset: the
    # figures say they are unknown.
    housing_url: str | None = None
    education_url: str | None = None

    def rules_versions(self) -> tuple[RulesVersion, ...]:
        recorded = tuple(
            RulesVersion(
                id=v.id,
                title=v.title,
                valid_from=v.valid_from,
                valid_to=v.valid_to,
                source=f"local parameter (public_security): {v.source}",
            )
            for v in self.recorded_rules_versions
        )
        return RULES_VERSIONS + recorded

    def parameters(self) -> tuple[Parameter, ...]:
        """The shipped parameters, and for each recorded version the values it carries on."""
        versions = {v.id: v for v in self.rules_versions()}
        carried: list[Parameter] = []
        for recorded in self.recorded_rules_versions:
            continued = versions.get(recorded.continues)
            if continued is None or continued.valid_to is None:
                raise ValueError(
                    f"recorded rules version {recorded.id} continues unknown or open-ended "
                    f"version {recorded.continues!r}"
                )
            last_day = continued.valid_to
            for parameter in PARAMETERS:
                if parameter.in_force_on(last_day) and not parameter.in_force_on(
                    last_day + timedelta(days=1)
                ):
                    carried.append(
                        parameter.model_copy(
                            update={
                                "valid_from": recorded.valid_from,
                                "valid_to": recorded.valid_to,
                                "source": f"{parameter.source}, continued by {recorded.source}",
                            }
                        )
                    )
        return PARAMETERS + tuple(carried)
