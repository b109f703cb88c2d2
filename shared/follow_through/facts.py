"""The facts a department takes after approval: declared once, checked before anything is written.

Each department declares the facts its decisions can wait on, by the name its open items give
them (`housing.monthly_household_income`, `social_insurance.employer_paid`), with their type
and whether they are one member's or the household's. A supplied value is checked against that
type strictly (`"4200"` is no amount, `"yes"` no answer) before any row is touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from shared.errors import InvalidInput

HOUSEHOLD = "household"
"""The key of the household's own facts among the supplied ones (`member_index` null)."""

# The event's sections each speak of one member or of the household: a fact supplied for them
# is read by the department as if the application had stated it.
SECTION_OWNERS: Mapping[str, int | None] = {
    "social_insurance": 0,  # the applicant's insurance
    "housing": None,
    "residence": None,
    "rural_rights": None,
}


@dataclass(frozen=True)
class FactField:
    """One fact a department may be given: its name, its type, whose it is."""

    name: str
    annotation: Any
    per_member: bool
    description: str
    _adapter: TypeAdapter[Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_adapter", TypeAdapter(self.annotation))

    def parse(self, value: Any) -> Any:
        """The value as JSON would store it, or a 422 naming the fact and why."""
        try:
            checked = self._adapter.validate_python(value, strict=True)
        except ValidationError as exc:
            # pydantic's message, never the input: a supplied value may be personal.
            reason = "; ".join(error["msg"] for error in exc.errors(include_input=False))
            raise InvalidInput(
                f"facts.{self.name} is not valid: {reason}",
                details=[{"field": f"facts.{self.name}", "reason": reason}],
            ) from None
        return self._adapter.dump_python(checked, mode="json")


class InformationIn(BaseModel):
    """`POST /v1/settlements/{id}/information`: facts about one member or the household."""

    model_config = ConfigDict(extra="forbid")

    member_index: int | None = Field(
        default=None,
        ge=0,
        le=99,
        description="0 the applicant, n household[n-1]; null (or left out) the household",
    )
    facts: dict[str, Any] = Field(
        min_length=1,
        max_length=50,
        description="Each fact by the name its open item gives it, with its value",
        examples=[{"social_insurance.employer_paid": False}],
    )


def member_key(member_index: int | None) -> str:
    return HOUSEHOLD if member_index is None else str(member_index)


def checked_facts(
    fields: Sequence[FactField], supplied: InformationIn, *, members: int
) -> dict[str, Any]:
    """The supplied facts, each known to the department, of the right owner and type."""
    known = {fact.name: fact for fact in fields}
    index = supplied.member_index
    if index is not None and index >= members:
        raise InvalidInput(
            f"member_index {index} is not a member of this settlement",
            details=[
                {
                    "field": "member_index",
                    "reason": f"the settlement has {members} members: 0 to {members - 1}",
                }
            ],
        )
    problems: list[dict[str, Any]] = []
    values: dict[str, Any] = {}
    for name, value in supplied.facts.items():
        fact = known.get(name)
        if fact is None:
            takes = ", ".join(known) or "none"
            problems.append(
                {"field": f"facts.{name}", "reason": f"not a fact this department takes ({takes})"}
            )
            continue
        if fact.per_member and index is None:
            problems.append(
                {"field": "member_index", "reason": f"{name} is one member's: say whose"}
            )
            continue
        if not fact.per_member and index is not None:
            problems.append(
                {"field": "member_index", "reason": f"{name} is the household's: leave it out"}
            )
            continue
        try:
            values[name] = fact.parse(value)
        except InvalidInput as exc:
            problems.extend(exc.details)
    if problems:
        fields_named = ", ".join(dict.fromkeys(p["field"] for p in problems))
        raise InvalidInput(f"the information is not valid: {fields_named}", details=problems)
    return values
