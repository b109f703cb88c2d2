"""Dated parameters: the value in force on a day, per county, read once from the environment."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from shared.parameters import (
    Parameter,
    ParameterSet,
    ParameterSource,
    latest_in_force,
    national,
)

AGE = national("age_of_majority", 18, unit="years", valid_from=date(1987, 1, 1), source="law")


def local(value: int, valid_from: str, region: str | None = None, **more: object) -> Parameter:
    return Parameter.model_validate(
        {
            "name": "income_limit_per_capita",
            "value": value,
            "unit": "yuan/person/month",
            "region_code": region,
            "valid_from": valid_from,
            "source": "a housing bureau notice",
            "department": "housing",
            **more,
        }
    )


def test_a_period_includes_both_of_its_ends() -> None:
    limit = local(1500, "2018-01-01", valid_to="2018-12-31")
    assert limit.in_force_on(date(2018, 1, 1)) and limit.in_force_on(date(2018, 12, 31))
    assert not limit.in_force_on(date(2017, 12, 31)) and not limit.in_force_on(date(2019, 1, 1))


def test_the_value_that_took_effect_last_supersedes_an_earlier_one() -> None:
    older, newer = local(1500, "2018-01-01"), local(1600, "2019-01-01")
    assert latest_in_force([newer, older], date(2019, 6, 1)) == newer
    assert latest_in_force([newer, older], date(2018, 6, 1)) == older
    assert latest_in_force([newer, older], date(2017, 6, 1)) is None


def test_a_countys_own_value_comes_before_the_citywide_one() -> None:
    parameters = ParameterSet((local(1500, "2018-01-01"), local(1300, "2019-01-01", "440282")))
    assert parameters.in_force("income_limit_per_capita", date(2019, 6, 1), "440282").value == 1300
    assert parameters.in_force("income_limit_per_capita", date(2019, 6, 1), "440203").value == 1500
    assert parameters.in_force("income_limit_per_capita", date(2018, 6, 1), "440282").value == 1500


def test_national_law_says_so_when_cited() -> None:
    assert AGE.is_national
    assert "national law" in AGE.cite()
    assert "local parameter set by housing" in local(1500, "2018-01-01").cite()
    assert local(1500, "2018-01-01").reference()["valid_to"] is None


def configure(monkeypatch: pytest.MonkeyPatch, *parameters: Parameter) -> None:
    listed = ", ".join(p.model_dump_json() for p in parameters)
    monkeypatch.setenv("LUOHU_HOUSING_PARAMETERS", f"[{listed}]")


def source(**options: object) -> ParameterSource:
    return ParameterSource(service="housing", **options)  # type: ignore[arg-type]


def test_the_configured_parameters_are_read_once_and_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "LUOHU_HOUSING_PARAMETERS", f"[{local(1500, '2018-01-01').model_dump_json()}]"
    )
    parameters = source(national=(AGE,))
    loaded = parameters.load()
    assert [p.name for p in loaded.parameters] == ["age_of_majority", "income_limit_per_capita"]
    configure(monkeypatch)
    assert parameters.current() is loaded, "kept until the next load, not read per event"
    assert [p.name for p in parameters.load().parameters] == ["age_of_majority"]


def test_a_file_may_hold_them(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "parameters.json"
    path.write_text(f"[{local(1500, '2018-01-01').model_dump_json()}]")
    monkeypatch.setenv("LUOHU_HOUSING_PARAMETERS", str(path))
    assert len(source().load().parameters) == 1


@pytest.mark.parametrize(
    ("options", "configured", "problem"),
    [
        ({"known": ("area_limit_per_capita",)}, {}, "'income_limit_per_capita' is not a housing"),
        ({"fixed": ("income_limit_per_capita",)}, {}, "is national law and cannot be configured"),
        ({}, {"region": "110101"}, "110101, which is not a county of Shaoguan"),
        ({}, {"valid_to": "2017-01-01"}, "ends (2017-01-01) before it begins"),
        ({"check": lambda p: ["too low"] if p.value < 2000 else []}, {}, "too low"),
    ],
)
def test_a_wrong_parameter_stops_the_load_naming_the_variable_and_the_problem(
    monkeypatch: pytest.MonkeyPatch,
    options: dict[str, object],
    configured: dict[str, object],
    problem: str,
) -> None:
    configure(monkeypatch, local(1500, "2018-01-01", **configured))
    with pytest.raises(ValueError, match="LUOHU_HOUSING_PARAMETERS is not valid") as refused:
        source(**options).load()
    assert problem in str(refused.value)


def test_unreadable_configuration_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LUOHU_HOUSING_PARAMETERS", '[{"name": "x"}]')
    with pytest.raises(ValueError, match="LUOHU_HOUSING_PARAMETERS cannot be read"):
        source().load()


def _days(value: object, unit: str | None = "days") -> dict[str, object]:
    return {
        "name": "follow_through_days",
        "value": value,
        "unit": unit,
        "valid_from": "2018-01-01",
        "source": "a department's own deadline (test)",
        "department": "housing",
    }


def test_every_department_may_record_its_follow_through_days(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = ParameterSource(service="housing", known=("income_limit_per_capita",))
    monkeypatch.setenv(source.variable, json.dumps([_days(30)]))

    days = source.load().in_force("follow_through_days", date(2019, 6, 1))

    assert days is not None and days.value == 30


@pytest.mark.parametrize(
    ("value", "unit", "words"),
    [(0, "days", "at least 1"), (2.5, "days", "whole number"), (30, "weeks", "in days")],
)
def test_follow_through_days_that_are_no_deadline_stop_the_start(
    monkeypatch: pytest.MonkeyPatch, value: object, unit: str, words: str
) -> None:
    source = ParameterSource(service="housing")
    monkeypatch.setenv(source.variable, json.dumps([_days(value, unit)]))

    with pytest.raises(ValueError, match=words):
        source.load()


def test_a_parameter_file_is_read_again_only_when_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "parameters.json"
    path.write_text(json.dumps([_days(30)]))
    source = ParameterSource(service="housing")
    monkeypatch.setenv(source.variable, str(path))
    source.load()

    assert source.refresh() is False
    path.write_text(json.dumps([_days(45)]))
    assert source.refresh() is True
    days = source.current().in_force("follow_through_days", date(2019, 6, 1))
    assert days is not None and days.value == 45


def test_parameters_given_as_json_in_the_variable_need_a_restart_to_change(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = ParameterSource(service="housing")
    monkeypatch.setenv(source.variable, json.dumps([_days(30)]))
    source.load()
    monkeypatch.setenv(source.variable, json.dumps([_days(45)]))

    assert source.refresh() is False


def test_a_folder_of_parameter_files_serves_every_service_without_its_own_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "housing.json").write_text(json.dumps([_days(30)]))
    own = tmp_path / "own.json"
    own.write_text(json.dumps([_days(45)]))
    monkeypatch.setenv("LUOHU_PARAMETERS_DIR", str(tmp_path))
    housing, pension = ParameterSource(service="housing"), ParameterSource(service="pension")
    monkeypatch.delenv(housing.variable, raising=False)
    monkeypatch.delenv(pension.variable, raising=False)

    assert housing.configured() == str(tmp_path / "housing.json")
    assert pension.configured() is None  # no pension.json: no local parameters
    monkeypatch.setenv(housing.variable, str(own))
    assert housing.configured() == str(own)  # the service's own variable comes first
