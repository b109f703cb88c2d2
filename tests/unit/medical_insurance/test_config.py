"""Unit tests of the medical insurance settings: local parameters are checked when loaded."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.medical_insurance.config import MedicalInsuranceSettings
from services.medical_insurance.rules import MINIMUM_WORKING_AGE


def settings_with(name: str, value: Any) -> MedicalInsuranceSettings:
    item = {
        "name": name,
        "value": value,
        "valid_from": "2018-01-01",
        "source": "test fixture",
        "department": "human_resources",
    }
    return MedicalInsuranceSettings(parameters=json.dumps([item]))


def test_no_local_parameter_ships_with_a_value() -> None:
    names = {p.name for p in MedicalInsuranceSettings(parameters=None).parameter_set().parameters}
    assert names == {MINIMUM_WORKING_AGE}  # national law only


def test_configured_parameters_are_loaded_beside_the_national_ones() -> None:
    loaded = settings_with("origin_confirmation_days", 45).parameter_set()
    assert {p.name for p in loaded.parameters} == {"origin_confirmation_days", MINIMUM_WORKING_AGE}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("origin_confirmation_days", -1),
        ("origin_confirmation_days", 1.5),
        ("origin_confirmation_days", True),
        ("presume_rural_members_insured_at_origin", "yes"),
        (MINIMUM_WORKING_AGE, 14),
    ],
)
def test_a_parameter_of_the_wrong_kind_is_refused_at_load(name: str, value: Any) -> None:
    with pytest.raises(ValueError, match=name):
        settings_with(name, value).parameter_set()
