"""Housing's local parameters are checked when loaded: a wrong one stops the service at start."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from services.housing.rules import PARAMETERS
from shared.parameters import ParameterSet


def entry(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "income_limit_per_capita",
        "value": 1500,
        "unit": "yuan/person/month",
        "region_code": "440203",
        "valid_from": "2018-01-01",
        "source": "test fixture",
        "department": "housing",
    }
    values.update(overrides)
    return values


Load = Callable[..., ParameterSet]


@pytest.fixture
def load(monkeypatch: pytest.MonkeyPatch) -> Load:
    """`load(*entries)` or `load(source=path)`: configure them and load them, as at start."""

    def configured(*entries: dict[str, Any], source: str | None = None) -> ParameterSet:
        monkeypatch.setenv("LUOHU_HOUSING_PARAMETERS", source or json.dumps(list(entries)))
        return PARAMETERS.load()

    return configured


def test_no_parameters_configured_means_none_in_force_not_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LUOHU_HOUSING_PARAMETERS", raising=False)

    assert PARAMETERS.load().parameters == ()


def test_a_valid_list_loads(load: Load) -> None:
    loaded = load(entry())

    assert [(p.name, p.value, p.region_code) for p in loaded.parameters] == [
        ("income_limit_per_capita", 1500, "440203")
    ]


def test_a_file_of_parameters_loads(load: Load, tmp_path: Path) -> None:
    path = tmp_path / "housing.json"
    path.write_text(json.dumps([entry(), entry(name="area_limit_per_capita", unit="m2/person")]))

    assert len(load(source=str(path)).parameters) == 2


def test_the_loaded_parameters_are_kept_until_the_next_load(
    load: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = load(entry())
    monkeypatch.setenv("LUOHU_HOUSING_PARAMETERS", "[]")

    assert PARAMETERS.current() == loaded


def test_an_unknown_parameter_name_is_refused_listing_the_known_ones(load: Load) -> None:
    with pytest.raises(ValueError, match=r"'income_limit' is not a housing parameter.*known"):
        load(entry(name="income_limit"))


@pytest.mark.parametrize("value", [0, -5, True, "1500"])
def test_a_value_that_is_not_a_positive_number_is_refused(load: Load, value: object) -> None:
    with pytest.raises(ValueError, match="must be a number above zero"):
        load(entry(value=value))


def test_an_amount_per_household_is_not_taken_for_one_per_person(load: Load) -> None:
    with pytest.raises(ValueError, match="is in yuan/person/month, not yuan/household/month"):
        load(entry(name="rental_subsidy_amount_per_capita", unit="yuan/household/month"))


def test_a_region_outside_shaoguan_is_refused(load: Load) -> None:
    with pytest.raises(ValueError, match="440106, which is not a county of Shaoguan"):
        load(entry(region_code="440106"))


def test_a_period_ending_before_it_begins_is_refused(load: Load) -> None:
    with pytest.raises(ValueError, match="ends"):
        load(entry(valid_to="2017-12-31"))
