"""Names, birth dates and NUL in the bodies of hukou and residence permits: a name with a control
or invisible character, a person born before 1900 or NUL in any text is a 422 naming the field,
and nothing is written."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Services
from tests.api.conftest import application as settlement_application
from tests.support import WUJIANG, Headers, invalid, person_id, reason_for

HUKOU_NAMES = ["applicant.name", "household[0].name"]
PERMIT_NAMES = ["name", "guardian.name"]
BAD_IN_NAMES = [
    "\x00",
    "\x07",
    "\n",
    "\x7f",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2060",
    "\ufeff",
    "\u202e",
]


def permit_application(**overrides: Any) -> dict[str, Any]:
    """An adult registered in Meizhou, resident in 武江区 since 2020, employed."""
    body: dict[str, Any] = {
        "id_number": person_id(date(1990, 5, 1)),
        "name": "王五",
        "hukou_region_code": "441402",
        "region_code": WUJIANG,
        "address": "武江区沿江路 1 号",
        "resident_since": "2020-01-01",
        "basis": "employment",
    }
    body.update(overrides)
    return body


def set_field(body: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    """`body` with `field` ("a.b", "a[0].b") set to `value`."""
    target: Any = body
    parts = field.replace("[", ".[").split(".")
    for part in parts[:-1]:
        target = target[int(part[1:-1])] if part.startswith("[") else target[part]
    target[parts[-1]] = value
    return body


def total(client: TestClient, path: str, headers: Headers) -> int:
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["total"])


def refused_field(
    services: Services, name: str, path: str, body: dict[str, Any], field: str
) -> str:
    """The reason `field` is refused for; nothing is written."""
    client, headers = services(name), services.token(name)
    before = total(client, path, headers)

    reason = reason_for(invalid(client.post(path, json=body, headers=headers)), field)

    assert total(client, path, headers) == before
    return reason


@pytest.mark.parametrize("char", BAD_IN_NAMES, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("field", HUKOU_NAMES)
def test_a_settlement_name_with_a_control_or_invisible_character_is_refused(
    services: Services, field: str, char: str
) -> None:
    body = set_field(settlement_application(), field, f"张{char}三")

    reason = refused_field(services, "hukou", "/v1/settlement-applications", body, field)

    assert f"U+{ord(char):04X}" in reason


@pytest.mark.parametrize("char", BAD_IN_NAMES, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("field", PERMIT_NAMES)
def test_a_permit_name_with_a_control_or_invisible_character_is_refused(
    services: Services, field: str, char: str
) -> None:
    guardian = {"id_number": person_id(date(1970, 1, 1)), "name": "王父", "relation": "parent"}
    body = set_field(permit_application(guardian=guardian), field, f"王{char}五")

    reason = refused_field(services, "residence_permit", "/v1/residence-permits", body, field)

    assert f"U+{ord(char):04X}" in reason


@pytest.mark.parametrize("birth", [date(1000, 1, 1), date(1899, 12, 31)])
@pytest.mark.parametrize("field", ["applicant.id_number", "household[1].id_number"])
def test_a_settlement_member_born_before_1900_is_refused(
    services: Services, field: str, birth: date
) -> None:
    body = set_field(settlement_application(), field, person_id(birth))

    reason = refused_field(services, "hukou", "/v1/settlement-applications", body, field)

    assert "lies before 1900-01-01" in reason


def test_a_given_birth_date_before_1900_is_refused(services: Services) -> None:
    body = set_field(settlement_application(), "applicant.birth_date", "1000-01-01")

    reason = refused_field(
        services, "hukou", "/v1/settlement-applications", body, "applicant.birth_date"
    )

    assert "on or after 1900-01-01" in reason


def test_a_permit_for_someone_born_before_1900_is_refused(services: Services) -> None:
    body = permit_application(id_number=person_id(date(1000, 6, 1)))

    reason = refused_field(services, "residence_permit", "/v1/residence-permits", body, "id_number")

    assert "lies before 1900-01-01" in reason


@pytest.mark.parametrize(
    ("name", "path", "body", "field"),
    [
        ("hukou", "/v1/settlement-applications", settlement_application(), "residence.address"),
        ("residence_permit", "/v1/residence-permits", permit_application(), "address"),
    ],
    ids=["hukou", "residence_permit"],
)
def test_nul_in_any_text_of_a_body_is_refused(
    services: Services, name: str, path: str, body: dict[str, Any], field: str
) -> None:
    reason = refused_field(services, name, path, set_field(body, field, "沿江路\x001 号"), field)

    assert "U+0000" in reason
