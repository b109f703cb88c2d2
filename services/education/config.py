"""Education's parameters: the national ones in code, then any configured local ones.

`LUOHU_EDUCATION_PARAMETERS` may hold, say, a county's primary_entry_age of 7 (Compulsory
Education Law art. 11 lets a region defer entry to seven); the rules need none, since the ages
are national law shipped in code. It is read once, when the service starts.
"""

from __future__ import annotations

from services.education.rules import NATIONAL_PARAMETERS, SCHOOL_YEAR_START
from shared.parameters import ParameterSource

# The school year start is fixed: every settlement's school year hangs on it, and a recorded
# school year must not move when a parameter is configured later.
PARAMETERS = ParameterSource(
    service="education",
    national=NATIONAL_PARAMETERS,
    fixed=(SCHOOL_YEAR_START.name,),
)
