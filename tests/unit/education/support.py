"""What education's rule tests share: the counties, a decision date, members of a given age,
local parameters."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.education.rules import (
    NATIONAL_PARAMETERS,
    PARAMETERS,
    Family,
    Member,
    Placement,
    place_children,
)
from shared.parameters import Parameter, ParameterSet
from tests.support import MEIZHOU, WUJIANG, local_parameter

XINFENG = "440233"
NAMES = {WUJIANG: "韶关市武江区", XINFENG: "韶关市新丰县", MEIZHOU: "广东省梅州市梅江区"}
NATIONAL = ParameterSet(NATIONAL_PARAMETERS)
# A decision in the 2019-2020 school year, which starts on 2019-09-01.
DECIDED = date(2019, 10, 15)
START = date(2019, 9, 1)


def born_aged(years: int, *, days: int = 0, on: date = START) -> date:
    """The birth date of someone who turns `years` on `on` shifted by `days` (+: later)."""
    return on.replace(year=on.year - years) + timedelta(days=days)


def member(
    birth: date, relation: str = "child", *, index: int = 2, previous: str = MEIZHOU
) -> Member:
    return Member(
        index=index, name="张小", relation=relation, birth_date=birth, previous_region_code=previous
    )


def decide(
    *members: Member,
    decided: date = DECIDED,
    county: str = WUJIANG,
    parameters: ParameterSet = NATIONAL,
) -> tuple[Placement, ...]:
    family = Family(destination_region_code=county, decision_date=decided, members=members)
    return place_children(family, parameters, region_names=NAMES).placements


def only(*members: Member, **kwargs: object) -> Placement:
    (placement,) = decide(*members, **kwargs)  # type: ignore[arg-type]
    return placement


def local(
    name: str,
    value: int | str,
    *,
    county: str | None,
    valid_from: date,
    unit: str | None = "years",
) -> Parameter:
    """An education parameter of `county` (None: citywide): the test is its source."""
    fields = {"region_code": county, "valid_from": valid_from, "unit": unit}
    return Parameter.model_validate(local_parameter("education", name, value, **fields))


def with_national(*configured: Parameter) -> ParameterSet:
    return ParameterSet((*NATIONAL_PARAMETERS, *configured))


def configured(monkeypatch: pytest.MonkeyPatch, *parameters: Parameter) -> ParameterSet:
    """Education's parameters as the service loads them with `parameters` configured (from a
    copy of its source, so the set the process keeps is not touched)."""
    given = json.dumps([p.model_dump(mode="json") for p in parameters])
    monkeypatch.setenv(PARAMETERS.variable, given)
    return replace(PARAMETERS).load()
