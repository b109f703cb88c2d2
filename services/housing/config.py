"""Housing's local parameters of housing security (三(五)): read once at start, and checked.

`LUOHU_HOUSING_PARAMETERS` holds a JSON list of them, or the path of a JSON file. No value ships
with the code: the policy sets none, so until the housing department records its limits (with
their source) every household is assessed `information_needed`, naming them.
"""

from __future__ import annotations

from services.housing.rules import PARAMETER_UNITS
from shared.parameters import Parameter, ParameterSource


def _problems(parameter: Parameter) -> list[str]:
    """Housing's own checks; the name, the county and the period are checked for every service."""
    name = parameter.name
    expected = PARAMETER_UNITS[name]
    problems = []
    value = parameter.value
    if isinstance(value, bool | str) or value <= 0:
        problems.append(f"{name} must be a number above zero, not {value!r}")
    if parameter.unit is not None and parameter.unit != expected:
        # A per-household amount loaded as per person would be wrong by the household's size.
        problems.append(f"{name} is in {expected}, not {parameter.unit}")
    return problems


PARAMETERS = ParameterSource(service="housing", known=tuple(PARAMETER_UNITS), check=_problems)
"""Loaded by `app.build()`, so a wrong value stops the service at start, not a decision."""
