"""The parameters education's rules know, and what a valid configured one is (三(八)).

`LUOHU_EDUCATION_PARAMETERS` holds a JSON list of local parameters, or a file path. The stage
ages are national law shipped in code (`rules.stages`); a county may configure its own (say, a
primary_entry_age of 7). `placement_next_year_weeks` (`rules.school_years`) ships with no
value: the text names none, so the department records it, dated, with its source; until then
settlements are placed for the school year under way. `follow_through_days` (when an open item
falls due) every department takes. The school year start may not be configured.
"""

from __future__ import annotations

from services.education.rules.school_years import next_year_weeks_problems
from services.education.rules.stages import NATIONAL_PARAMETERS, SCHOOL_YEAR_START
from shared.parameters import ParameterSource

PARAMETERS = ParameterSource(
    service="education",
    national=NATIONAL_PARAMETERS,
    fixed=(SCHOOL_YEAR_START.name,),
    check=next_year_weeks_problems,
)
"""Loaded when the service is built (`app.build`: a wrong value stops the start); decisions use
`.current()`, the versions in force on the settlement's decision date."""
