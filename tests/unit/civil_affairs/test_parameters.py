"""Civil affairs' standard is refused at start when it cannot mean what it names."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from services.civil_affairs.app import build
from services.civil_affairs.rules import PARAMETERS
from tests.support import configured, kept_after_a_change, loaded, refused_at_start


def item(**extra: Any) -> dict[str, Any]:
    return {
        "name": "minimum_living_standard",
        "value": 600,
        "unit": "yuan/person/month",
        "region_code": "440203",
        "valid_from": "2019-01-01",
        "source": "test fixture",
        "department": "civil_affairs",
        **extra,
    }


def test_the_variable_is_the_services_own() -> None:
    assert PARAMETERS.variable == "LUOHU_CIVIL_AFFAIRS_PARAMETERS"


def test_no_parameters_configured_means_none_in_force_not_defaults() -> None:
    assert loaded(PARAMETERS, None).parameters == ()


def test_a_standard_is_read_from_json_text() -> None:
    (parameter,) = configured(PARAMETERS, item()).parameters

    assert (parameter.name, parameter.value, parameter.region_code) == (
        "minimum_living_standard",
        600,
        "440203",
    )


def test_parameters_are_read_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "civil_affairs.json"
    path.write_text(json.dumps([item(value=650.5)]))

    assert loaded(PARAMETERS, str(path)).parameters[0].value == 650.5


def test_a_citywide_standard_without_a_unit_is_taken() -> None:
    (parameter,) = configured(PARAMETERS, item(region_code=None, unit=None)).parameters

    assert parameter.region_code is None


def test_follow_through_days_is_taken_as_every_department_takes_it() -> None:
    days = item(name="follow_through_days", value=30, unit="days", region_code=None)

    assert [p.name for p in configured(PARAMETERS, item(), days).parameters] == [
        "minimum_living_standard",
        "follow_through_days",
    ]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (item(name="minimum_living_standrd"), "not a civil_affairs parameter"),
        (item(name="income_limit_per_capita"), "known: minimum_living_standard"),
        (item(value=0), "positive amount"),
        (item(value=-600), "positive amount"),
        (item(value=True), "positive amount"),
        (item(value="six hundred"), "positive amount"),
        (item(unit="yuan/household/month"), "is in yuan/person/month, not yuan/household/month"),
        (item(region_code="441402"), "not a county of Shaoguan"),
        (item(valid_to="2018-12-31"), "ends"),
    ],
)
def test_a_parameter_that_cannot_mean_its_name_is_refused(
    bad: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        configured(PARAMETERS, bad)


def test_a_wrong_parameter_stops_the_service_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    refused_at_start(
        monkeypatch, PARAMETERS, build, [item(value=0)], naming="LUOHU_CIVIL_AFFAIRS_PARAMETERS"
    )


def test_the_parameters_are_read_once_not_on_every_event(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kept = kept_after_a_change(monkeypatch, PARAMETERS, [item(value=600)], [item(value=700)])

    assert kept.parameters[0].value == 600
