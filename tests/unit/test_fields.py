"""The shared input fields on bad input: names, birth dates, and text no database stores."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import Field, TypeAdapter, ValidationError

from shared.fields import EARLIEST_BIRTH_DATE, BirthDate, IdNumber, Name, Strict
from shared.identity import make_id_number

NAME = TypeAdapter(Name)
BIRTH_DATE = TypeAdapter(BirthDate)
ID_NUMBER = TypeAdapter(IdNumber)
MEIZHOU = "441402"

# Each alone in the middle of a name: the strip of a body's strings would hide them at its ends.
CONTROL = ["\x00", "\x01", "\t", "\n", "\r", "\x1b", "\x7f", "\x85", "\x9f"]
INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # zero-width no-break space (byte order mark)
    "\u200e",  # left-to-right mark
    "\u202e",  # right-to-left override: shows "张三" reversed after it
    "\u2066",  # left-to-right isolate
    "\u00ad",  # soft hyphen
]


def refusal(adapter: TypeAdapter[Any], value: object) -> str:
    with pytest.raises(ValidationError) as refused:
        adapter.validate_python(value)
    return str(refused.value.errors()[0]["msg"])


@pytest.mark.parametrize("char", CONTROL, ids=lambda c: f"U+{ord(c):04X}")
def test_a_name_with_a_control_character_is_refused(char: str) -> None:
    reason = refusal(NAME, f"张{char}三")

    assert "control characters" in reason
    assert f"U+{ord(char):04X}" in reason


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_a_name_with_an_invisible_character_is_refused(char: str) -> None:
    reason = refusal(NAME, f"张{char}三")

    assert "invisible characters" in reason
    assert f"U+{ord(char):04X}" in reason


def test_a_name_of_nothing_but_a_zero_width_space_is_refused() -> None:
    assert "invisible" in refusal(NAME, "\u200b")


@pytest.mark.parametrize(
    "name",
    [
        "张三",
        "欧阳娜娜",
        "阿依古丽·买买提",  # a minority name with the middle dot
        "José María O'Neil-Smith",
        "𠮷野",  # a character outside the Basic Multilingual Plane
        "\ue000明",  # a rare character a registration system wrote in the private-use area
    ],
)
def test_names_people_have_are_accepted(name: str) -> None:
    assert NAME.validate_python(name) == name


def test_the_earliest_birth_date_is_1900_01_01() -> None:
    assert BIRTH_DATE.validate_python("1900-01-01") == EARLIEST_BIRTH_DATE

    reason = refusal(BIRTH_DATE, "1899-12-31")

    assert "on or after 1900-01-01" in reason


@pytest.mark.parametrize("birth", [date(1000, 1, 1), date(1899, 12, 31)])
def test_an_identity_number_born_before_1900_is_refused(birth: date) -> None:
    number = make_id_number(MEIZHOU, birth, 1)

    reason = refusal(ID_NUMBER, number)

    assert "positions 7-14 lies before 1900-01-01" in reason
    assert number not in reason, "the reason never repeats the number"


def test_an_identity_number_born_on_1900_01_01_is_accepted() -> None:
    number = make_id_number(MEIZHOU, date(1900, 1, 1), 1)

    assert ID_NUMBER.validate_python(number) == number


class Inner(Strict):
    text: str


class Body(Strict):
    address: str
    notes: list[str] = Field(default_factory=list)
    inner: Inner | None = None
    labels: dict[str, str] = Field(default_factory=dict)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"address": "沿江路\x001 号"}, ("address",)),
        ({"address": "a", "notes": ["ok", "b\x00"]}, ("notes",)),
        ({"address": "a", "inner": {"text": "\x00"}}, ("inner", "text")),
        ({"address": "a", "labels": {"k\x00": "v"}}, ("labels",)),
    ],
)
def test_a_body_refuses_nul_in_any_text_and_names_the_field(
    data: dict[str, Any], field: tuple[str, ...]
) -> None:
    with pytest.raises(ValidationError) as refused:
        Body.model_validate(data)

    (error,) = refused.value.errors()
    assert error["loc"] == field
    assert "U+0000 (NUL)" in error["msg"]


def test_a_body_keeps_other_text_as_it_was_given() -> None:
    body = Body.model_validate({"address": "武江区\t沿江路 1 号", "notes": ["第一"]})

    assert body.address == "武江区\t沿江路 1 号"
