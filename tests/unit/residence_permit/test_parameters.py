"""The service starts with the national values, and a later version recorded in its variable."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from services.residence_permit.app import build
from services.residence_permit.rules import PARAMETERS
from tests.support import refused_at_start

AMENDMENT = {
    "name": "minimum_residence_months",
    "value": 3,
    "unit": "months",
    "valid_from": "2030-01-01",
    "source": "test fixture: an amendment of 居住证暂行条例 第二条",
    "department": "State Council (national law)",
}


def test_without_a_recorded_version_the_national_values_are_in_force(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(PARAMETERS.variable, raising=False)
    months = replace(PARAMETERS).load().in_force("minimum_residence_months", date(2030, 1, 1))
    assert months is not None and months.value == 6 and months.is_national


def test_a_recorded_later_version_applies_from_its_first_day(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PARAMETERS.variable, json.dumps([AMENDMENT]))
    parameters = replace(PARAMETERS).load()  # a copy: the process's own set stays as it was
    before = parameters.in_force("minimum_residence_months", date(2029, 12, 31))
    after = parameters.in_force("minimum_residence_months", date(2030, 1, 1))
    assert (before and before.value, after and after.value) == (6, 3)


def test_a_version_for_a_county_outside_shaoguan_stops_the_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    outside = [{**AMENDMENT, "region_code": "440300"}]
    refused_at_start(
        monkeypatch, PARAMETERS, build, outside, naming="LUOHU_RESIDENCE_PERMIT_PARAMETERS"
    )
