"""The residence permit service's parameters: the national values, and later versions of them.

The service needs no local parameter: every number it uses is national law and ships dated in
`rules/national.py`. A value recorded in `LUOHU_RESIDENCE_PERMIT_PARAMETERS` (with its source
and department) is a later version of one of them, e.g. an amendment of the regulations; it
applies from its own `valid_from`, and decisions record which version they used.
"""

from __future__ import annotations

from services.residence_permit.rules import NATIONAL_PARAMETERS
from shared.parameters import ParameterSource

PARAMETERS = ParameterSource(service="residence_permit", national=NATIONAL_PARAMETERS)
