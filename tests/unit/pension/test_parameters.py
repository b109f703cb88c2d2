"""Pension's local parameters are refused at start when they cannot mean what they name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from services.pension.app import build
from services.pension.rules import PARAMETERS
from tests.support import configured, kept_after_a_change, loaded, refused_at_start

PRESUMED_SCHEME = "default_scheme_for_non_employed_adults"


def item(
    name: str = PRESUMED_SCHEME, value: Any = "urban_rural_resident", **extra: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "value": value,
        "region_code": "440203",
        "valid_from": "2019-01-01",
        "source": "test fixture",
        "department": "human_resources",
        **extra,
    }


def test_no_parameters_configured_is_an_empty_set() -> None:
    assert loaded(PARAMETERS, None).parameters == ()


def test_a_presumed_scheme_is_read_from_json_text() -> None:
    (parameter,) = configured(PARAMETERS, item()).parameters

    assert (parameter.name, parameter.value, parameter.region_code) == (
        PRESUMED_SCHEME,
        "urban_rural_resident",
        "440203",
    )


def test_parameters_are_read_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "pension.json"
    path.write_text(json.dumps([item(value="employee")]))
    assert loaded(PARAMETERS, str(path)).parameters[0].value == "employee"


def test_the_deadline_of_open_items_is_taken_like_every_departments() -> None:
    days = item(name="follow_through_days", value=30, unit="days")

    assert configured(PARAMETERS, days).parameters[0].value == 30


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (item(name="default_scheme_for_non_employd_adults"), "not one pension uses"),
        # the minimum living guarantee is civil affairs' now, and so is its standard
        (item(name="minimum_living_standard", value=600), "not one pension uses"),
        (item(region_code="441402"), "not a county of Shaoguan"),
        (item(value="rural"), "one of"),
        (item(value=True), "one of"),
        (item(name="follow_through_days", value=0), "at least 1"),
    ],
)
def test_a_parameter_that_cannot_mean_its_name_is_refused(
    bad: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        configured(PARAMETERS, bad)


def test_a_presumed_scheme_may_be_citywide() -> None:
    presumption = item(region_code=None)

    assert configured(PARAMETERS, presumption).parameters[0].region_code is None


def test_a_wrong_parameter_stops_the_service_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    refused_at_start(
        monkeypatch, PARAMETERS, build, [item(value="rural")], naming="LUOHU_PENSION_PARAMETERS"
    )


def test_the_parameters_are_read_once_not_on_every_event(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kept = kept_after_a_change(
        monkeypatch, PARAMETERS, [item(value="employee")], [item(value="urban_rural_resident")]
    )

    assert kept.parameters[0].value == "employee"
