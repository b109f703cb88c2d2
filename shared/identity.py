"""GB 11643-1999 resident identity numbers: parsing, check characters and masking."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from shared import clock, regions

Sex = Literal["male", "female"]

# ISO 7064 MOD 11-2 as GB 11643-1999 applies it: the weight of position i is 2**(17-i) mod 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"

_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
_SEVENTEEN_DIGITS = re.compile(r"[0-9]{17}")
# Digit boundaries rather than \b: "身份证号440524188001010014。" has no word boundary in
# Chinese text. A number ending in X may be followed by a digit and is still masked, since
# leaking one is worse than masking a stray token.
_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{17}(?:[0-9](?![0-9])|[Xx])")

_SHAPE_REASON = "must be 18 characters: 17 digits and a check character (0-9 or X)"


class InvalidIdNumber(ValueError):
    """An identity number that fails GB 11643-1999; `reason` is written for a case worker.

    The reason never contains the whole number, because it is shown to users and may be logged.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, repr=False)
class IdentityNumber:
    """A valid resident identity number and what its positions say."""

    value: str
    region_code: str
    birth_date: date
    sequence: str
    sex: Sex

    @property
    def masked(self) -> str:
        return mask_id_number(self.value)

    def __repr__(self) -> str:
        # The default dataclass repr would print the number (and region, birth date and
        # sequence, from which it can be rebuilt) into any log line or traceback.
        return f"IdentityNumber({self.masked!r})"


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits of an identity number."""
    if _SEVENTEEN_DIGITS.fullmatch(first17) is None:
        raise ValueError("the check character is computed from exactly 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def parse_id_number(value: str, *, today: date | None = None) -> IdentityNumber:
    """Parse and validate `value`, raising InvalidIdNumber with the first problem found."""
    normalised = value.strip().upper() if isinstance(value, str) else ""
    if _SHAPE.fullmatch(normalised) is None:
        raise InvalidIdNumber(_SHAPE_REASON)

    region_code = normalised[:6]
    if not regions.ever_existed(region_code):
        raise InvalidIdNumber(
            f"the region code {region_code} in positions 1-6 is not a GB/T 2260 code"
        )

    year, month, day = normalised[6:10], normalised[10:12], normalised[12:14]
    try:
        birth_date = date(int(year), int(month), int(day))
    except ValueError:
        raise InvalidIdNumber(
            f"the birth date {year}-{month}-{day} in positions 7-14 does not exist"
        ) from None
    if birth_date > (clock.today() if today is None else today):
        raise InvalidIdNumber("the birth date lies in the future")

    expected = check_character(normalised[:17])
    if normalised[17] != expected:
        raise InvalidIdNumber(
            f"the check character is wrong: it should be {expected}, not {normalised[17]}"
        )

    sequence = normalised[14:17]
    return IdentityNumber(
        value=normalised,
        region_code=region_code,
        birth_date=birth_date,
        sequence=sequence,
        sex="male" if int(sequence) % 2 else "female",
    )


def mask_id_number(value: str) -> str:
    """`value` with its middle hidden: "4402**********123X"; never the whole of any input."""
    text = value.strip().upper()
    if len(text) == 18:
        keep = 4
    elif len(text) > 4:
        keep = 2
    else:
        # Keeping two at each end of four characters or fewer would show them all.
        return "*" * len(text)
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]


def mask_identity_numbers(text: str) -> str:
    """`text` with every identity-number-shaped token masked (for log records and messages)."""
    return _IN_TEXT.sub(lambda match: mask_id_number(match.group()), text)


def mask_identity_numbers_within(value: Any) -> Any:
    """`value` (JSON-like: strings, dicts, lists, tuples) with every identity number in its
    strings, keys included, masked, however deeply nested."""
    if isinstance(value, str):
        return mask_identity_numbers(value)
    if isinstance(value, dict):
        return {
            mask_identity_numbers_within(key): mask_identity_numbers_within(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_identity_numbers_within(item) for item in value]
    return value


def make_id_number(region_code: str, birth_date: date, sequence: int) -> str:
    """A well-formed number with its check character, for tests and demos (odd sequence: male)."""
    if re.fullmatch(r"[0-9]{6}", region_code) is None:
        raise ValueError("the region code must be six digits")
    if not 0 <= sequence <= 999:
        raise ValueError("the sequence must lie between 0 and 999")
    if birth_date.year < 1000:
        raise ValueError("the birth year must have four digits")
    first17 = f"{region_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + check_character(first17)
