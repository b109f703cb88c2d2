"""The hukou API refuses a body it cannot decide on, naming the field and why (422)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared import clock
from shared.identity import check_character
from tests.api.conftest import application
from tests.api.hukou_support import (
    APPLICATIONS,
    HukouApiTests,
    assert_nothing_written,
    submit,
    wrong_check_character,
)
from tests.support import WUJIANG, Headers, invalid, reason_for


def impossible_birth_date() -> str:
    """A number whose only fault is its birth date, 1990-02-30 (the check character fits)."""
    first17 = "441402" + "19900230" + "123"
    return first17 + check_character(first17)


def refusal(
    client: TestClient, headers: Headers, change: Callable[[dict[str, Any]], None]
) -> dict[str, Any]:
    """Submit a valid body altered by `change`: the one detail of its 422 (nothing is written)."""
    body = application()
    change(body)
    (detail,) = invalid(submit(client, headers, body))
    assert_nothing_written(client, headers)
    return detail


def tomorrow() -> str:
    return (clock.today() + timedelta(days=1)).isoformat()


# One value refused in an otherwise valid body: how to change it, the field named, the words said.
REFUSED_VALUES = [
    pytest.param(
        lambda body: body["household"][1].update(
            id_number=wrong_check_character(body["household"][1]["id_number"])
        ),
        "household[1].id_number",
        ("check character is wrong",),
        id="a_household_members_bad_number_names_that_member",
    ),
    pytest.param(
        lambda body: body["applicant"].update(id_number=body["applicant"]["id_number"][:17]),
        "applicant.id_number",
        ("18 characters",),
        id="a_number_of_the_wrong_shape_says_what_it_must_be",
    ),
    pytest.param(
        lambda body: body["applicant"].update(id_number=impossible_birth_date()),
        "applicant.id_number",
        ("1990-02-30", "does not exist"),
        id="an_impossible_birth_date_in_the_number",
    ),
    pytest.param(
        lambda body: body["applicant"].update(hukou_region_code="999999"),
        "applicant.hukou_region_code",
        ("not a GB/T 2260 region code",),
        id="an_unknown_registration_region",
    ),
    pytest.param(
        lambda body: body.update(destination_region_code="440300"),
        "destination_region_code",
        # ... and the counties it may be are listed.
        ("not a county or district of Shaoguan", WUJIANG),
        id="a_destination_outside_shaoguan",
    ),
    pytest.param(
        lambda body: body["residence"].update(since=tomorrow()),
        "residence.since",
        ("lies in the future",),
        id="a_residence_beginning_in_the_future",
    ),
    pytest.param(
        lambda body: body["social_insurance"].update(pension_months=-1),
        "social_insurance.pension_months",
        ("greater than or equal to 0",),
        id="negative_months_of_insurance",
    ),
    pytest.param(
        lambda body: body.update(received_on=tomorrow()),
        "received_on",
        ("lies in the future",),
        id="an_application_received_in_the_future",
    ),
    pytest.param(
        lambda body: body["applicant"].update(birth_date="1970-01-01"),
        "applicant.birth_date",
        ("1970-01-01 contradicts the identity number", "1988-05-01"),
        id="a_birth_date_contradicting_the_number",
    ),
    *(
        pytest.param(
            lambda body, relation=relation: body["household"][0].update(relation=relation),
            "household[0].relation",
            (repr(relation), "spouse, minor children and parents", "二.3"),
            id=f"the_relation_{relation}_other_than_spouse_child_or_parent",
        )
        for relation in ("sibling", "grandparent", "applicant")
    ),
    pytest.param(
        lambda body: body["rural_rights"].update(surrender_required=True),
        "rural_rights.surrender_required",
        ("三(四)",),
        id="requiring_rural_rights_to_be_given_up_citing_three_four",
    ),
]

# A person given twice: how, the field refused, and where the number came first.
REPEATED_NUMBERS = [
    pytest.param(
        lambda body: body["household"][1].update(id_number=body["household"][0]["id_number"]),
        "household[1].id_number",
        "household[0].id_number",
        id="a_members_number_twice",
    ),
    pytest.param(
        # In lower case it is the same number all the same.
        lambda body: body["household"][0].update(id_number=body["applicant"]["id_number"].lower()),
        "household[0].id_number",
        "applicant.id_number",
        id="the_applicants_number_repeated_in_the_household",
    ),
]


class TestValidation(HukouApiTests):
    def test_a_wrong_check_character_says_what_it_should_be(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        body = application()
        right = body["applicant"]["id_number"]
        body["applicant"]["id_number"] = wrong_check_character(right)

        details = invalid(submit(hukou, officer, body))

        reason = reason_for(details, "applicant.id_number")
        assert "check character is wrong" in reason
        assert f"it should be {right[17]}" in reason
        assert_nothing_written(hukou, officer)

    @pytest.mark.parametrize(("change", "field", "says"), REFUSED_VALUES)
    def test_a_refused_value_names_its_field_and_why(
        self,
        hukou: TestClient,
        officer: Headers,
        change: Callable[[dict[str, Any]], None],
        field: str,
        says: tuple[str, ...],
    ) -> None:
        detail = refusal(hukou, officer, change)

        assert detail["field"] == field
        assert [words for words in says if words not in detail["reason"]] == []

    @pytest.mark.parametrize(("change", "field", "first"), REPEATED_NUMBERS)
    def test_the_same_identity_number_twice_is_refused_naming_where_it_came_first(
        self,
        hukou: TestClient,
        officer: Headers,
        change: Callable[[dict[str, Any]], None],
        field: str,
        first: str,
    ) -> None:
        detail = refusal(hukou, officer, change)

        assert detail["field"] == field
        assert detail["reason"] == f"repeats the identity number of {first}"

    def test_an_unknown_field_is_refused(self, hukou: TestClient, officer: Headers) -> None:
        body = application(nickname="阿三")
        body["applicant"]["mobile"] = "13800000000"

        details = invalid(submit(hukou, officer, body))

        assert "not permitted" in reason_for(details, "nickname")
        assert "not permitted" in reason_for(details, "applicant.mobile")
        assert_nothing_written(hukou, officer)

    def test_a_channel_outside_the_five_is_refused_listing_them(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        details = invalid(submit(hukou, officer, application(channel="points_system")))

        reason = reason_for(details, "channel")
        for channel in (
            "stable_residence",
            "insured_one_year",
            "talent",
            "rural_student",
            "collective_household",
        ):
            assert channel in reason
        assert_nothing_written(hukou, officer)

    def test_a_body_that_is_not_json_is_422_in_the_error_shape(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        response = hukou.post(
            APPLICATIONS,
            content=b"{not json",
            headers={**officer, "Content-Type": "application/json"},
        )

        invalid(response)
        assert_nothing_written(hukou, officer)
