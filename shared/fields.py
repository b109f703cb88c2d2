"""The input types every API shares, each validated with a reason a case worker can read."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from shared import clock, regions
from shared.identity import InvalidIdNumber, mask_identity_numbers, parse_id_number

EARLIEST_BIRTH_DATE = date(1900, 1, 1)
"""No one born earlier is alive to apply: an earlier birth date is a typing error."""


def _refuse_nul(value: Any) -> None:
    # PostgreSQL keeps no NUL in text: accepted, it would fail the write as a server error.
    # (pydantic itself refuses a lone surrogate, the other text no database encodes.)
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("contains U+0000 (NUL), a character no record may hold")
    elif isinstance(value, Mapping):
        for item in (*value.keys(), *value.values()):
            _refuse_nul(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _refuse_nul(item)


class Strict(BaseModel):
    """A request body: unknown fields are refused (a typo is not silently dropped), and so is
    text no database stores."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        # Nested bodies are Strict themselves and check their own fields.
        _refuse_nul(value)
        return value


def _id_number(value: str) -> str:
    try:
        parsed = parse_id_number(value)
    except InvalidIdNumber as exc:
        raise ValueError(f"the identity number is not valid: {exc.reason}") from exc
    if parsed.birth_date < EARLIEST_BIRTH_DATE:
        raise ValueError(
            "the identity number is not valid: the birth date in positions 7-14 lies before "
            f"{EARLIEST_BIRTH_DATE.isoformat()}"
        )
    return parsed.value


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


def _born_since_1900(value: date) -> date:
    if value < EARLIEST_BIRTH_DATE:
        raise ValueError(f"a birth date lies on or after {EARLIEST_BIRTH_DATE.isoformat()}")
    return value


# A name is what a case worker reads and a notice prints: invisible characters in it make two
# records of one person look alike, or one look like another (direction marks reorder it).
def _person_name(value: str) -> str:
    for char in value:
        category = unicodedata.category(char)
        if category == "Cc":
            raise ValueError(f"a name may not contain control characters (U+{ord(char):04X})")
        if category == "Cf":
            raise ValueError(
                f"a name may not contain invisible characters (U+{ord(char):04X}, such as "
                "zero-width spaces, joiners and direction marks)"
            )
    return value


def _names_no_one(value: str) -> str:
    # 个人信息保护法: records about institutions (a follow-up, a finding) hold no person's data.
    if mask_identity_numbers(value) != value:
        raise ValueError("holds an identity number: this record names no person")
    return value


IdNumber = Annotated[str, Field(examples=["440203199001011234"]), AfterValidator(_id_number)]
"""An 18-character resident identity number (GB 11643), normalised (a final x becomes X)."""
RegionCode = Annotated[str, Field(examples=["441402"]), AfterValidator(_current_region)]
"""A current six-digit GB/T 2260 region code."""
ShaoguanCounty = Annotated[str, Field(examples=["440203"]), AfterValidator(_shaoguan_county)]
"""One of Shaoguan's ten counties and districts."""
PastDate = Annotated[date, AfterValidator(_not_in_future)]
"""A date no later than today in Shaoguan."""
BirthDate = Annotated[date, AfterValidator(_born_since_1900), AfterValidator(_not_in_future)]
"""A living person's birth date: from 1900-01-01 to today in Shaoguan."""
Name = Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_person_name)]
"""A person's name: printable characters only (no control, zero-width or direction marks).

Private-use characters stay allowed: registration systems still write rare name characters
that Unicode lacks there."""
InstitutionalText = Annotated[str, AfterValidator(_names_no_one)]
"""Free text about an institution (whom the office asked, what an audit found): refused when it
holds an identity number; the offices keep nothing of a person."""
Months = Annotated[int, Field(ge=0, le=1200)]
