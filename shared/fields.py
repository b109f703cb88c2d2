"""The input types every API shares, each validated with a reason a case worker can read."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shared import clock, regions
from shared.identity import InvalidIdNumber, parse_id_number


class Strict(BaseModel):
    """A request body: unknown fields are refused (a typo is not silently dropped)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _id_number(value: str) -> str:
    try:
        return parse_id_number(value).value
    except InvalidIdNumber as exc:
        raise ValueError(f"the identity number is not valid: {exc.reason}") from exc


def _current_region(value: str) -> str:
    if not regions.is_current_region(value):
        raise ValueError(
            f"{value!r} is not a GB/T 2260 region code (revision {regions.REGIONS_REVISION})"
        )
    return value


def shaoguan_county_reason(value: str) -> str:
    """Why `value` is refused where a county of Shaoguan is wanted, listing the counties."""
    counties = ", ".join(f"{code} {name}" for code, name in regions.SHAOGUAN_COUNTIES.items())
    return f"{value!r} is not a county or district of Shaoguan; one of: {counties}"


def _shaoguan_county(value: str) -> str:
    if not regions.is_shaoguan_county(value):
        raise ValueError(shaoguan_county_reason(value))
    return value


def _not_in_future(value: date) -> date:
    if value > clock.today():
        raise ValueError(f"{value.isoformat()} lies in the future")
    return value


IdNumber = Annotated[str, Field(examples=["440203199001011234"]), AfterValidator(_id_number)]
"""An 18-character resident identity number (GB 11643), normalised (a final x becomes X)."""
RegionCode = Annotated[str, Field(examples=["441402"]), AfterValidator(_current_region)]
"""A current six-digit GB/T 2260 region code."""
ShaoguanCounty = Annotated[str, Field(examples=["440203"]), AfterValidator(_shaoguan_county)]
"""One of Shaoguan's ten counties and districts."""
PastDate = Annotated[date, AfterValidator(_not_in_future)]
"""A date no later than today in Shaoguan."""
Name = Annotated[str, Field(min_length=1, max_length=100)]
Months = Annotated[int, Field(ge=0, le=1200)]
