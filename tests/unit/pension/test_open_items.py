"""What pension leaves open for a settlement: each member's facts, the city's parameters once,
and each origin's confirmation awaited; nothing open once each continuation is settled."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from services.pension.operations import gaps_of_continuations
from services.pension.rules import Member, decide_continuations
from services.pension.rules.base import EMPLOYER_PAID, MONTHS_CARRIED_OVER, OriginConfirmation
from tests.unit.pension.support import (
    MEIZHOU,
    NONE,
    PRESUMED_SCHEME,
    applicant,
    facts,
    grandfather,
    member,
    presumed,
    wife,
)


def open_items(*members: Member, **settlement: Any) -> set[tuple[int | None, str, str]]:
    decided = decide_continuations(facts(*members, **settlement), NONE)
    return {gap.key for gap in gaps_of_continuations(decided)}


def test_a_continuation_held_in_shaoguan_leaves_nothing_open() -> None:
    assert open_items(applicant()) == set()


def test_each_other_adult_waits_on_their_own_fact_and_the_city_once_on_its_presumption() -> None:
    items = open_items(applicant(), wife(), grandfather(2))

    assert items == {
        (1, EMPLOYER_PAID, "information"),
        (2, EMPLOYER_PAID, "information"),
        (None, f"parameters.{PRESUMED_SCHEME}", "parameter"),
    }


def test_a_transfer_awaiting_the_origin_is_a_confirmation_of_that_member() -> None:
    decided = decide_continuations(facts(applicant(), wife()), presumed())

    gaps = gaps_of_continuations(decided)

    assert [(g.member_index, g.field, g.kind) for g in gaps] == [
        (1, MONTHS_CARRIED_OVER, "confirmation")
    ]
    assert MEIZHOU in gaps[0].reason


def test_the_applicants_unstated_employer_is_the_applicants_item() -> None:
    assert open_items(applicant(), employer_paid=None) == {(0, EMPLOYER_PAID, "information")}


def test_a_confirmed_transfer_leaves_nothing_open() -> None:
    confirmed = applicant(confirmed=OriginConfirmation(30))

    assert open_items(confirmed, insured_region_code=MEIZHOU) == set()


def test_a_pension_age_no_law_records_is_a_parameter_of_the_household() -> None:
    # The residents' scheme dates from 2014-02-21: no pension age of it before.
    items = open_items(applicant(), employer_paid=False, on=date(2014, 1, 2))

    assert items == {(None, "parameters.statutory_pension_age.urban_rural_resident", "parameter")}


def test_no_reason_of_an_open_item_carries_a_birth_date_or_an_identity_number() -> None:
    woman = member(0, "applicant", date(1967, 1, 1), "female")
    decided = decide_continuations(facts(woman, wife(), grandfather(2)), NONE)

    for gap in gaps_of_continuations(decided):
        assert not re.search(r"19[0-9]{2}-", gap.reason), gap.reason
        assert not re.search(r"[0-9]{15}", gap.reason)
