"""Unit tests of the medical insurance parameters: local parameters are checked when loaded."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from services.medical_insurance.rules import PARAMETERS
from shared.national import MINIMUM_WORKING_AGE
from shared.parameters import ParameterSet


def loaded(monkeypatch: pytest.MonkeyPatch, *configured: tuple[str, Any]) -> ParameterSet:
    """The parameters a fresh start of the service loads with `configured` in its variable."""
    items = [
        {
            "name": name,
            "value": value,
            "valid_from": "2018-01-01",
            "source": "test fixture",
            "department": "human_resources",
        }
        for name, value in configured
    ]
    if items:
        monkeypatch.setenv(PARAMETERS.variable, json.dumps(items))
    else:
        monkeypatch.delenv(PARAMETERS.variable, raising=False)
    return replace(PARAMETERS).load()  # a fresh source: the service's own keeps its set


def test_no_local_parameter_ships_with_a_value(monkeypatch: pytest.MonkeyPatch) -> None:
    names = {p.name for p in loaded(monkeypatch).parameters}
    assert names == {MINIMUM_WORKING_AGE.name}  # national law only


def test_configured_parameters_are_loaded_beside_the_national_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parameters = loaded(monkeypatch, ("origin_confirmation_days", 45)).parameters
    assert {p.name for p in parameters} == {"origin_confirmation_days", MINIMUM_WORKING_AGE.name}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("origin_confirmation_days", -1),
        ("origin_confirmation_days", 1.5),
        ("origin_confirmation_days", True),
        ("presume_rural_members_insured_at_origin", "yes"),
        (MINIMUM_WORKING_AGE.name, 14),
    ],
)
def test_a_parameter_of_the_wrong_kind_is_refused_at_load(
    monkeypatch: pytest.MonkeyPatch, name: str, value: Any
) -> None:
    with pytest.raises(ValueError, match=name):
        loaded(monkeypatch, (name, value))
