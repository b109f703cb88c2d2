"""Unit tests for GB 11643-1999 resident identity numbers."""

from __future__ import annotations

from datetime import date

import pytest

from shared.identity import (
    IdentityNumber,
    InvalidIdNumber,
    check_character,
    make_id_number,
    mask_id_number,
    mask_identity_numbers,
    parse_id_number,
)

TODAY = date(2024, 6, 1)
PUBLISHED_FEMALE = "11010519491231002X"  # the widely published example (北京市朝阳区)
GB11643_ANNEX = "440524188001010014"  # the example in GB 11643-1999's annex


def independent_check(first17: str) -> str:
    """The check character from the ISO 7064 definition, not from the standard's tables.

    MOD 11-2 picks the character c for which sum(a_i * 2**(18-i)) over positions i = 1..18,
    with X as 10 and the check in position 18 weighted 1, is congruent to 1 modulo 11.
    """
    partial = sum(int(digit) * 2 ** (17 - i) for i, digit in enumerate(first17))
    value = next(c for c in range(11) if (partial + c) % 11 == 1)
    return "X" if value == 10 else str(value)


def with_wrong_check(first17: str) -> str:
    right = check_character(first17)
    return first17 + ("0" if right != "0" else "1")


# -- check characters ------------------------------------------------------------------


def test_published_example_is_valid_female_born_1949_12_31() -> None:
    parsed = parse_id_number(PUBLISHED_FEMALE, today=TODAY)
    assert isinstance(parsed, IdentityNumber)
    assert parsed.value == PUBLISHED_FEMALE
    assert parsed.region_code == "110105"
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sequence == "002"
    assert parsed.sex == "female"


def test_gb11643_annex_example_is_valid_male_born_1880() -> None:
    parsed = parse_id_number(GB11643_ANNEX, today=TODAY)
    assert parsed.region_code == "440524"
    assert parsed.birth_date == date(1880, 1, 1)
    assert parsed.sequence == "001"
    assert parsed.sex == "male"


@pytest.mark.parametrize("number", [PUBLISHED_FEMALE, GB11643_ANNEX])
def test_check_character_reproduces_published_examples(number: str) -> None:
    assert check_character(number[:17]) == number[17]
    assert independent_check(number[:17]) == number[17]


@pytest.mark.parametrize(
    "first17",
    [
        "44020319900517123",
        "44028220001231000",
        "11010519491231002",
        "00000000000000000",
        "99999999999999999",
        "44023219840229999",
        "12345678901234567",
    ],
)
def test_check_character_agrees_with_the_iso_7064_definition(first17: str) -> None:
    assert check_character(first17) == independent_check(first17)


def test_every_check_character_occurs() -> None:
    seen = {check_character(make_id_number("440203", date(1990, 1, 1), s)[:17]) for s in range(40)}
    assert seen == set("0123456789X")


@pytest.mark.parametrize("bad", ["", "1234567890123456", "123456789012345678", "1234567890123456X"])
def test_check_character_needs_exactly_seventeen_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        check_character(bad)


# -- errors, each with its reason ------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "44020319900517123",  # 17 characters
        "4402031990051712345",  # 19 characters
        "440203900517123",  # a 15-digit first-generation number
        "44020319900517X234",  # X anywhere but last
        "4402031990O517123X",  # letter O for zero
        "440203 19900517 1234",
        "４４０２０３１９９００５１７１２３４",  # full-width digits
        "44020319900517123Y",
    ],
)
def test_wrong_shape_says_what_the_shape_should_be(bad: str) -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(bad, today=TODAY)
    assert caught.value.reason == (
        "must be 18 characters: 17 digits and a check character (0-9 or X)"
    )


def test_non_string_is_rejected_as_wrong_shape() -> None:
    with pytest.raises(InvalidIdNumber, match="must be 18 characters"):
        parse_id_number(None, today=TODAY)  # type: ignore[arg-type]


def test_unknown_region_code_is_named_in_the_reason() -> None:
    number = make_id_number("999999", date(1990, 5, 17), 123)
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(number, today=TODAY)
    assert caught.value.reason == (
        "the region code 999999 in positions 1-6 is not a GB/T 2260 code"
    )


def test_abolished_region_code_is_accepted_because_numbers_keep_their_issuing_code() -> None:
    number = make_id_number("440221", date(1975, 3, 8), 41)  # 曲江县, abolished in 2004
    assert parse_id_number(number, today=TODAY).region_code == "440221"


@pytest.mark.parametrize(
    ("birth", "shown"),
    [
        ("19900230", "1990-02-30"),
        ("19000229", "1900-02-29"),  # 1900 was not a leap year
        ("19901301", "1990-13-01"),
        ("19900001", "1990-00-01"),
        ("19900100", "1990-01-00"),
        ("00000101", "0000-01-01"),
    ],
)
def test_impossible_birth_date_is_named_in_the_reason(birth: str, shown: str) -> None:
    first17 = f"440203{birth}123"
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(first17 + check_character(first17), today=TODAY)
    assert caught.value.reason == f"the birth date {shown} in positions 7-14 does not exist"


def test_leap_day_birth_date_is_accepted_in_a_leap_year() -> None:
    number = make_id_number("440203", date(2000, 2, 29), 123)
    assert parse_id_number(number, today=TODAY).birth_date == date(2000, 2, 29)


def test_birth_date_after_today_lies_in_the_future() -> None:
    number = make_id_number("440203", date(2024, 6, 2), 123)
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(number, today=TODAY)
    assert caught.value.reason == "the birth date lies in the future"


def test_born_today_is_not_in_the_future() -> None:
    number = make_id_number("440203", TODAY, 123)
    assert parse_id_number(number, today=TODAY).birth_date == TODAY


def test_future_is_judged_against_the_real_date_by_default() -> None:
    number = make_id_number("440203", date(9999, 1, 1), 123)
    with pytest.raises(InvalidIdNumber, match="lies in the future"):
        parse_id_number(number)


def test_wrong_check_character_names_the_right_one() -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number("110105194912310027", today=TODAY)
    assert caught.value.reason == "the check character is wrong: it should be X, not 7"


def test_wrong_check_character_x_names_the_right_digit() -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number("44052418800101001X", today=TODAY)
    assert caught.value.reason == "the check character is wrong: it should be 4, not X"


def test_region_is_checked_before_birth_date_and_check_character() -> None:
    with pytest.raises(InvalidIdNumber, match="region code 999999"):
        parse_id_number("999999199002301230", today=TODAY)


def test_birth_date_is_checked_before_check_character() -> None:
    with pytest.raises(InvalidIdNumber, match="does not exist"):
        parse_id_number(with_wrong_check("44020319900230123"), today=TODAY)


def test_future_is_checked_before_check_character() -> None:
    with pytest.raises(InvalidIdNumber, match="future"):
        parse_id_number(with_wrong_check("44020320300101123"), today=TODAY)


@pytest.mark.parametrize(
    "bad",
    [
        make_id_number("999999", date(1990, 5, 17), 123),
        "440203199002301230",
        make_id_number("440203", date(2030, 1, 1), 123),
        "110105194912310027",
        "11010519491231002X0",
    ],
)
def test_reasons_never_contain_the_whole_number(bad: str) -> None:
    with pytest.raises(InvalidIdNumber) as caught:
        parse_id_number(bad, today=TODAY)
    assert bad not in caught.value.reason
    assert bad[:17] not in str(caught.value)


def test_invalid_id_number_is_a_value_error() -> None:
    assert issubclass(InvalidIdNumber, ValueError)
    assert str(InvalidIdNumber("because")) == "because"


# -- what the number says --------------------------------------------------------------


@pytest.mark.parametrize(
    ("sequence", "sex"),
    [(0, "female"), (1, "male"), (2, "female"), (123, "male"), (998, "female"), (999, "male")],
)
def test_sex_follows_the_parity_of_the_sequence(sequence: int, sex: str) -> None:
    number = make_id_number("440203", date(1990, 5, 17), sequence)
    parsed = parse_id_number(number, today=TODAY)
    assert parsed.sequence == f"{sequence:03d}"
    assert parsed.sex == sex


def test_lower_case_x_and_surrounding_spaces_are_normalised() -> None:
    parsed = parse_id_number("  11010519491231002x\n", today=TODAY)
    assert parsed.value == PUBLISHED_FEMALE


def test_identity_number_is_immutable() -> None:
    parsed = parse_id_number(PUBLISHED_FEMALE, today=TODAY)
    with pytest.raises(AttributeError):
        parsed.value = GB11643_ANNEX  # type: ignore[misc]


def test_repr_and_str_show_only_the_masked_number() -> None:
    parsed = parse_id_number(PUBLISHED_FEMALE, today=TODAY)
    for shown in (repr(parsed), str(parsed), f"{parsed}"):
        assert PUBLISHED_FEMALE not in shown
        assert "19491231" not in shown
        assert "1101**********002X" in shown


def test_make_id_number_builds_a_number_that_parses_back() -> None:
    number = make_id_number("440282", date(1984, 2, 29), 7)
    assert number[:17] == "44028219840229007"
    assert number[17] == independent_check(number[:17])
    parsed = parse_id_number(number, today=TODAY)
    assert (parsed.region_code, parsed.birth_date, parsed.sex) == (
        "440282",
        date(1984, 2, 29),
        "male",
    )


@pytest.mark.parametrize(
    ("region", "birth", "sequence"),
    [
        ("44020", date(1990, 1, 1), 1),
        ("4402030", date(1990, 1, 1), 1),
        ("440203", date(1990, 1, 1), -1),
        ("440203", date(1990, 1, 1), 1000),
        ("440203", date(999, 1, 1), 1),
    ],
)
def test_make_id_number_refuses_what_cannot_fit(region: str, birth: date, sequence: int) -> None:
    with pytest.raises(ValueError):
        make_id_number(region, birth, sequence)


# -- masking ---------------------------------------------------------------------------


def test_mask_keeps_first_four_and_last_four() -> None:
    assert mask_id_number(PUBLISHED_FEMALE) == "1101**********002X"
    assert mask_id_number("44020319900517123x") == "4402**********123X"


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("440203900517123", "44***********23"),
        ("12345", "12*45"),
        ("1234", "****"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_mask_of_other_lengths_never_reveals_the_whole(value: str, masked: str) -> None:
    assert mask_id_number(value) == masked


def test_masked_property_matches_mask_id_number() -> None:
    assert parse_id_number(GB11643_ANNEX, today=TODAY).masked == "4405**********0014"


def test_mask_in_text_masks_every_number() -> None:
    text = f"申请人{PUBLISHED_FEMALE}，监护人 {GB11643_ANNEX}; child=44020320100101123x."
    assert mask_identity_numbers(text) == (
        "申请人1101**********002X，监护人 4405**********0014; child=4402**********123X."
    )


def test_mask_in_text_leaves_longer_digit_runs_alone() -> None:
    nineteen = "9" + GB11643_ANNEX
    twenty = GB11643_ANNEX + "00"
    text = f"order {nineteen} and {twenty} and account 6222021234567890123456"
    assert mask_identity_numbers(text) == text


def test_mask_in_text_masks_a_number_next_to_a_longer_run_separated_by_space() -> None:
    text = f"{GB11643_ANNEX} 6222021234567890123456"
    assert mask_identity_numbers(text) == "4405**********0014 6222021234567890123456"


def test_mask_in_text_masks_at_the_very_start_and_end() -> None:
    assert mask_identity_numbers(GB11643_ANNEX) == "4405**********0014"
    assert mask_identity_numbers(f"x{PUBLISHED_FEMALE}") == "x1101**********002X"


def test_mask_in_text_masks_numbers_whatever_their_check_character() -> None:
    # A mistyped number is still personal data.
    assert mask_identity_numbers("id=110105194912310027") == "id=1101**********0027"


def test_mask_in_text_leaves_shorter_numbers_alone() -> None:
    text = "tel 13800138000, code 440203, 15-digit 440203900517123"
    assert mask_identity_numbers(text) == text
