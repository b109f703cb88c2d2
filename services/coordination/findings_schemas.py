"""The audit findings' bodies, answers and list filter (四(四) 审计监督)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, computed_field

from shared import clock
from shared.fields import InstitutionalText, ShaoguanCounty, Strict
from shared.pagination import Page
from shared.registry import DEPARTMENT_SCOPES, SERVICES_BY_NAME

_NUMERALS = "一二三四五六七八九"
CLAUSES: tuple[str, ...] = (
    *("一", "一.1", "一.2"),
    *("二", *(f"二.{n}" for n in range(1, 9))),
    *("三", *(f"三({n})" for n in _NUMERALS)),
    *("四", *(f"四({n})" for n in "一二三四")),
    "五",
)
"""The measures' clauses (docs/policy.md) a finding may concern: no other is invented."""

State = Literal["open", "rectifying", "closed"]
"""`open` until the department named answers, `rectifying` once it has, `closed` by audit
(reopened, it is `open` again)."""

NAMED = frozenset(dept for dept, held in DEPARTMENT_SCOPES.items() if "finding:respond" in held)
"""The departments a finding may name (or a service, for its department): those that answer
findings (shared/registry.py)."""


def _clause(value: str) -> str:
    if value not in CLAUSES:
        raise ValueError(
            f"not a clause of the measures (docs/policy.md): one of {', '.join(CLAUSES)}"
        )
    return value


def _department(value: str) -> str:
    if value not in NAMED and value not in SERVICES_BY_NAME:
        raise ValueError("neither a department nor a service of the platform (shared/registry.py)")
    return value


def _today_or_later(value: date) -> date:
    if value < clock.today():
        raise ValueError("lies before today (Shaoguan's calendar): rectification is due later")
    return value


Text = InstitutionalText
DueOn = Annotated[date, AfterValidator(_today_or_later)]


class FindingIn(Strict):
    """A finding against a county (`region_code`) or a department (`department`, its name or
    one of its services'), exactly one of them."""

    region_code: ShaoguanCounty | None = None
    department: (
        Annotated[str, Field(min_length=1, max_length=40), AfterValidator(_department)] | None
    ) = None
    title: Annotated[Text, Field(min_length=1, max_length=200)]
    clause: Annotated[str, AfterValidator(_clause)] = Field(examples=["四(四)"])
    description: Annotated[Text, Field(min_length=1, max_length=4000)]
    due_on: DueOn = Field(description="the day rectification (整改) is due: today or later")

    def subject_refusals(self) -> list[dict[str, str]]:
        """Exactly one of `region_code` and `department`: each field refused, and why."""
        if self.region_code is not None and self.department is not None:
            why = "a finding concerns a county or a department, not both"
            return [{"field": "department", "reason": why}]
        if self.region_code is None and self.department is None:
            why = "name the county (region_code) or the department (department) it concerns"
            return [{"field": name, "reason": why} for name in ("region_code", "department")]
        return []


class ResponseIn(Strict):
    """A rectification step, as the department named (or the coordination office) records it."""

    text: Annotated[Text, Field(min_length=1, max_length=4000)]


class CloseIn(Strict):
    """Audit closes a finding (`closed`) or reopens a closed one (`reopened`, with a new
    `due_on` when given)."""

    outcome: Literal["closed", "reopened"] = "closed"
    note: Annotated[Text, Field(min_length=1, max_length=4000)]
    due_on: DueOn | None = None


class StepOut(BaseModel):
    kind: Literal["response", "closed", "reopened"]
    at: datetime
    department: str
    actor: str
    text: str
    due_on: date | None


class FindingOut(BaseModel):
    """A finding and its follow-up: `overdue_days` counts Shaoguan's days since `due_on` while
    it is not closed (0 when not overdue)."""

    id: str
    region_code: str | None
    department: str
    service: str | None
    title: str
    clause: str
    description: str
    due_on: date
    state: State
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None
    steps: list[StepOut]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def overdue_days(self) -> int:
        """Days past `due_on` on Shaoguan's calendar, while the finding is not closed."""
        return max(0, (clock.today() - self.due_on).days) if self.state != "closed" else 0


FindingPage = Page[FindingOut]


class FindingFilter(BaseModel):
    state: State | None = None
    region_code: ShaoguanCounty | None = None
    department: str | None = Field(None, min_length=1, max_length=40)
    overdue: bool | None = Field(None, description="only those past their due day (or not)")
