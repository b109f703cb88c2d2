"""The example parameters `make run` loads: one file per department that follows settlements,
and the coordination office's own, each value accepted by that service's own checks and
marked, in its source, as an example and not a Shaoguan figure (no policy value is
invented)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from shared.parameters import parse_parameters
from shared.registry import DOWNSTREAM_SERVICES

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "parameters"
WITH_PARAMETERS = (*DOWNSTREAM_SERVICES, "coordination")
"""Every service with parameters of its own: the departments, and the office's silence limit."""


@pytest.mark.parametrize("service", DOWNSTREAM_SERVICES)
def test_each_department_has_example_parameters_its_own_checks_accept(service: str) -> None:
    path = EXAMPLES / f"{service}.json"
    source = importlib.import_module(f"services.{service}.app").SPEC.parameters
    examples = parse_parameters(path)

    assert examples, f"{path.name} holds no parameter"
    assert [problem for p in examples for problem in source.problems(p)] == []
    assert {p.name for p in examples} >= {"follow_through_days"}, "every item gets a due date"


def test_the_office_has_an_example_silence_limit_its_own_checks_accept() -> None:
    source = importlib.import_module("services.coordination.app").SPEC.parameters
    examples = parse_parameters(EXAMPLES / "coordination.json")

    assert {p.name for p in examples} == {"reporting_silence_hours"}
    assert [problem for p in examples for problem in source.problems(p)] == []


@pytest.mark.parametrize("service", WITH_PARAMETERS)
def test_every_example_says_it_is_one(service: str) -> None:
    for parameter in parse_parameters(EXAMPLES / f"{service}.json"):
        assert parameter.source.startswith("EXAMPLE for trying the platform"), parameter.name
        assert "not a Shaoguan figure" in parameter.source


def test_no_example_file_is_for_a_service_without_parameters() -> None:
    assert {p.stem for p in EXAMPLES.glob("*.json")} <= set(WITH_PARAMETERS)
