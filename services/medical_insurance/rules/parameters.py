"""The parameters medical insurance's rules know, and what a valid one is (三(六)).

`LUOHU_MEDICAL_INSURANCE_PARAMETERS` holds a JSON list of local parameters, or a file path.
Known names: `origin_confirmation_days` (days after the decision date for the origin to confirm
a transfer; a whole number, 0 or more) and `presume_rural_members_insured_at_origin` (true or
false), besides `follow_through_days` (when an open item falls due) which every department
takes. None ships with a value: the department records each, dated, with its source. The
minimum working age is national law and ships in the code.
"""

from __future__ import annotations

from collections.abc import Iterator

from services.medical_insurance.rules.domain import (
    ORIGIN_CONFIRMATION_DAYS,
    PRESUME_RURAL_MEMBERS_INSURED,
)
from shared.national import MINIMUM_WORKING_AGE
from shared.parameters import Parameter, ParameterSource


def _check(parameter: Parameter) -> Iterator[str]:
    value = parameter.value
    if parameter.name == ORIGIN_CONFIRMATION_DAYS and (
        isinstance(value, bool) or not isinstance(value, int) or value < 0
    ):
        yield f"{ORIGIN_CONFIRMATION_DAYS} must be a whole number of days, 0 or more"
    if parameter.name == PRESUME_RURAL_MEMBERS_INSURED and not isinstance(value, bool):
        yield f"{PRESUME_RURAL_MEMBERS_INSURED} must be true or false"


PARAMETERS = ParameterSource(
    service="medical_insurance",
    national=(MINIMUM_WORKING_AGE,),
    known=(ORIGIN_CONFIRMATION_DAYS, PRESUME_RURAL_MEMBERS_INSURED),
    fixed=(MINIMUM_WORKING_AGE.name,),
    check=_check,
)
"""Loaded when the service is built (`app.build`: a wrong value stops the start), and looked at
again while it runs: a settlement waiting on a parameter is decided again once it is recorded."""
