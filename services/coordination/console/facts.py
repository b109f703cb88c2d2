"""How the queue's answer form asks for each fact a department takes: its name in Chinese and
the kind of input, so a typed value reaches the department (`4200`, not `"4200"`).

The office's image holds none of the departments' code, so the table is the console's own; a
test holds it to the departments' declarations (`FOLLOW_THROUGH.facts`). A fact missing here is
asked for as text, and the department, which checks every value itself, says what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

Kind = Literal["number", "integer", "yes_no", "choice", "text"]

YES_NO = (("true", "是"), ("false", "否"))


@dataclass(frozen=True)
class FactInput:
    """One fact's input: its label, its kind, and for a choice the values with their words."""

    label: str
    kind: Kind
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def options(self) -> tuple[tuple[str, str], ...]:
        """What a select offers: the choices, or yes and no."""
        return YES_NO if self.kind == "yes_no" else self.choices

    def read(self, text: str) -> Any:
        """The form's text as the value the department takes; left as text when it does not
        read as one (the department's refusal then names the fact and why)."""
        try:
            if self.kind == "number":
                return float(text)
            if self.kind == "integer":
                return int(text)
        except ValueError:
            return text
        if self.kind == "yes_no" and text in ("true", "false"):
            return text == "true"
        return text


FACTS: Mapping[str, FactInput] = MappingProxyType(
    {
        "housing.monthly_household_income": FactInput("家庭月收入(元)", "number"),
        "housing.current_area_m2": FactInput("现住房建筑面积(平方米)", "number"),
        "residence.tenure": FactInput(
            "居住方式",
            "choice",
            (
                ("owned", "自有住房"),
                ("rented", "租赁住房"),
                ("employer_collective", "单位集体户"),
                ("community_collective", "社区集体户"),
            ),
        ),
        "social_insurance.medical_months": FactInput("基本医疗保险缴费月数", "integer"),
        "social_insurance.insured_region_code": FactInput("参保地行政区划代码", "text"),
        "social_insurance.employer_paid": FactInput("由用人单位缴纳社会保险", "yes_no"),
        "social_insurance.occupation_category": FactInput(
            "职工身份", "choice", (("worker", "工人"), ("staff", "干部"))
        ),
        "schooling.stage": FactInput(
            "就学阶段",
            "choice",
            (
                ("not_in_school", "未入学"),
                ("preschool", "学前教育"),
                ("primary", "小学"),
                ("junior_middle", "初中"),
                ("senior_high", "高中"),
            ),
        ),
    }
)
"""Every fact a department takes after approval, by the name its open items give it."""


def fact_input(name: str) -> FactInput:
    """The fact's input, or a text input labelled with its name for one the table lacks."""
    return FACTS.get(name) or FactInput(name, "text")


def fact_label(name: str) -> str:
    """The fact's name in Chinese (the `fact` filter of the console's templates)."""
    return fact_input(name).label
