"""Pages, years and URLs out of range on every service: a page or a settlement target's year
outside its range is a 422 naming it, and so is a control character in a path or a query."""

from __future__ import annotations

from typing import Any

import pytest

from shared.pagination import LAST_PAGE
from tests.api.conftest import Services, operations
from tests.api.limits_support import NAMES, route_cases
from tests.support import invalid, reason_for

PAGED_ROUTES = route_cases(paged=True)


@pytest.mark.parametrize(("name", "method", "path"), PAGED_ROUTES)
@pytest.mark.parametrize("parameter", ["page", "page_size"])
@pytest.mark.parametrize("value", [10**19, LAST_PAGE + 1, 0, -1])
def test_a_page_out_of_range_is_422_naming_it(
    services: Services, name: str, method: str, path: str, parameter: str, value: int
) -> None:
    response = services(name).request(
        method, path, params={parameter: value}, headers=services.token_for(name, path)
    )

    assert reason_for(invalid(response), parameter)


@pytest.mark.parametrize(("name", "method", "path"), PAGED_ROUTES)
def test_the_last_page_is_an_empty_page(
    services: Services, name: str, method: str, path: str
) -> None:
    search = {"json": {}} if method == "POST" else {}  # a search with no filter: every row
    response = services(name).request(
        method, path, params={"page": LAST_PAGE}, headers=services.token_for(name, path), **search
    )

    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


@pytest.mark.parametrize("year", [0, 1, 2015, 2101, 9999, 10_000, 10**19, -1])
def test_a_settlement_target_year_out_of_range_is_422_naming_it(
    services: Services, year: int
) -> None:
    response = services("hukou").get(
        f"/v1/settlement-targets/{year}", headers=services.token("hukou")
    )

    assert reason_for(invalid(response), "year")


@pytest.mark.parametrize("year", [2016, 2100])
def test_the_settlement_target_years_run_from_2016_to_2100(services: Services, year: int) -> None:
    response = services("hukou").get(
        f"/v1/settlement-targets/{year}", headers=services.token("hukou")
    )

    assert response.status_code == 200, response.text
    assert {target["year"] for target in response.json()} == {year}


def _lookup_routes() -> list[Any]:
    cases = []
    for name in NAMES:
        for method, path, _ in operations(name):
            if method == "GET" and path.startswith("/v1/") and path.endswith("/x"):
                cases.append(pytest.param(name, path, id=f"{name} {path}"))
    return cases


@pytest.mark.parametrize(("name", "path"), _lookup_routes())
@pytest.mark.parametrize("escaped", ["%00", "a%0Ab", "%7F"])
def test_a_control_character_in_a_path_is_422(
    services: Services, name: str, path: str, escaped: str
) -> None:
    response = services(name).get(path.removesuffix("x") + escaped, headers=services.token(name))

    assert "control character" in reason_for(invalid(response), "path")


@pytest.mark.parametrize(("name", "method", "path"), PAGED_ROUTES)
def test_a_control_character_in_a_query_parameter_is_422_naming_it(
    services: Services, name: str, method: str, path: str
) -> None:
    response = services(name).request(method, f"{path}?page=1%00", headers=services.token(name))

    assert "U+0000" in reason_for(invalid(response), "page")
