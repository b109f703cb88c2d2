"""Pension's local parameters: which the rules know, what a valid one is, read once at start.

`LUOHU_PENSION_PARAMETERS` is a JSON list of parameters, or the path of a JSON file:

- `default_scheme_for_non_employed_adults` (optional): `urban_rural_resident` or `employee`,
  the scheme presumed for adults other than the applicant, whose employment the application
  does not state; without it their scheme waits for the fact (an open item).
- `follow_through_days` (optional, every department's): the days an open item is due in.
"""

from __future__ import annotations

from collections.abc import Iterator

from services.pension.rules.base import (
    DEFAULT_SCHEME_FOR_NON_EMPLOYED_ADULTS,
    PARAMETER_NAMES,
    SCHEMES,
)
from shared.parameters import Parameter, ParameterSource


def pension_problems(parameter: Parameter) -> Iterator[str]:
    """What makes a parameter one pension cannot use: a name it does not know, or a value that
    cannot be what its name says (the county and the period are checked for every service)."""
    where = f"local parameter {parameter.name}"
    # Checked here, not with the source's `known`, to keep the words operators already read.
    if parameter.name not in PARAMETER_NAMES:
        yield f"{where} is not one pension uses (known: {', '.join(PARAMETER_NAMES)})"
    if parameter.name == DEFAULT_SCHEME_FOR_NON_EMPLOYED_ADULTS and parameter.value not in SCHEMES:
        yield f"{where} must be one of {', '.join(SCHEMES)}, not {parameter.value!r}"


PARAMETERS = ParameterSource(service="pension", check=pension_problems)
"""Loaded by `app.build()` (a wrong value stops the start); decisions use `.current()` and pick
the version in force on the settlement's decision date; the follow-through decides again the
settlements waiting on a parameter when the file changes."""
