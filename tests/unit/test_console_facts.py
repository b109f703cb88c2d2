"""The queue's answer form asks for every fact the departments take, each as the kind of value
the department checks it as (`services/coordination/console/facts.py`)."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from pydantic import TypeAdapter

from services.coordination.console.facts import FACTS, FactInput, fact_input
from shared.follow_through import FactField
from shared.registry import DOWNSTREAM_SERVICES


def declared() -> list[FactField]:
    """Every fact every department declares, as its follow-through takes it."""
    return [
        fact
        for service in DOWNSTREAM_SERVICES
        for fact in importlib.import_module(f"services.{service}.handlers").FOLLOW_THROUGH.facts
    ]


def kind_of(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return "choice"
    return {"number": "number", "integer": "integer", "boolean": "yes_no"}.get(
        schema["type"], "text"
    )


@pytest.mark.parametrize("fact", declared(), ids=lambda fact: fact.name)
def test_each_fact_is_asked_for_as_the_department_takes_it(fact: FactField) -> None:
    schema = TypeAdapter(fact.annotation).json_schema()
    entry = FACTS[fact.name]
    assert entry.kind == kind_of(schema)
    assert [value for value, _ in entry.choices] == schema.get("enum", [])
    # What the form reads is what the department takes.
    sample = {"number": "12.5", "integer": "24", "yes_no": "false", "text": "440203"}
    text = entry.choices[0][0] if entry.choices else sample[entry.kind]
    fact.parse(entry.read(text))


def test_a_value_that_does_not_read_goes_as_typed_for_the_department_to_refuse() -> None:
    assert FactInput("收入", "number").read("两千") == "两千"
    assert FactInput("月数", "integer").read("1.5") == "1.5"
    assert FactInput("是否", "yes_no").read("maybe") == "maybe"


def test_an_unknown_fact_is_asked_for_as_text_under_its_name() -> None:
    assert fact_input("x.unknown") == FactInput("x.unknown", "text")
