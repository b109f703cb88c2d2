"""The example parameters `make run` loads: one file per department that follows settlements,
each value accepted by that department's own checks and marked, in its source, as an example
and not a Shaoguan figure (no policy value is invented)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from shared.parameters import parse_parameters
from shared.registry import DOWNSTREAM_SERVICES

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "parameters"


@pytest.mark.parametrize("service", DOWNSTREAM_SERVICES)
def test_each_department_has_example_parameters_its_own_checks_accept(service: str) -> None:
    path = EXAMPLES / f"{service}.json"
    source = importlib.import_module(f"services.{service}.app").SPEC.parameters
    examples = parse_parameters(path)

    assert examples, f"{path.name} holds no parameter"
    assert [problem for p in examples for problem in source.problems(p)] == []
    assert {p.name for p in examples} >= {"follow_through_days"}, "every item gets a due date"


@pytest.mark.parametrize("service", DOWNSTREAM_SERVICES)
def test_every_example_says_it_is_one(service: str) -> None:
    for parameter in parse_parameters(EXAMPLES / f"{service}.json"):
        assert parameter.source.startswith("EXAMPLE for trying the platform"), parameter.name
        assert "not a Shaoguan figure" in parameter.source


def test_no_example_file_is_for_a_department_that_does_not_follow_settlements() -> None:
    assert {p.stem for p in EXAMPLES.glob("*.json")} <= set(DOWNSTREAM_SERVICES)
