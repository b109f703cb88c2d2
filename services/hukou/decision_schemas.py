"""The bodies of deciding an application: approving it (with its conditions), refusing it,
and reviewing a refusal (复核)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.hukou import grounds
from services.hukou.grounds import RejectionGround
from shared.fields import Strict

Words = Annotated[str, Field(min_length=1, max_length=1000)]


def _refuses_no_one(value: str) -> str:
    """`value` when its words name no target (二.7) nor a giving up of rural rights (三(四))."""
    refusal = grounds.forbidden_in_words(value)
    if refusal:
        raise ValueError(f"the reason is refused: {refusal}")
    return value


class ConditionIn(Strict):
    kind: Literal[
        "surrender_land_contract", "surrender_homestead", "surrender_collective_income", "other"
    ]
    description: Annotated[str, Field(max_length=500)] | None = None

    @field_validator("kind")
    @classmethod
    def _no_rural_rights_condition(cls, value: str) -> str:
        if value.startswith("surrender_"):
            raise ValueError(
                f"{value!r} is refused: giving up rural rights may never be a condition of "
                "settlement (三(四))"
            )
        return value

    @field_validator("description")
    @classmethod
    def _no_rural_rights_in_words(cls, value: str | None) -> str | None:
        if value is not None and grounds.demands_rural_rights(value):
            raise ValueError(f"the condition is refused: {grounds.RURAL_RIGHTS_KEPT}")
        return value


class ApprovalIn(Strict):
    note: Annotated[str, Field(max_length=1000)] | None = None
    conditions: list[ConditionIn] = Field(
        default=[],
        description="Conditions to record; giving up rural rights is refused as one (三(四)).",
    )


class RejectionIn(Strict):
    """A refusal: a ground of the closed list and the reason in words, told to the family. A
    target (二.7) or rural rights (三(四)) refuse no one, as the ground or in the reason."""

    ground: RejectionGround = Field(
        description="false_information (提供虚假材料), withdrawn (申请人撤回申请), duplicate "
        "(重复申请), not_eligible (不符合落户条件: only what the rules found ineligible), "
        "information_not_supplied (逾期未补正材料: only an application awaiting information)"
    )
    reason: Words

    @field_validator("ground", mode="before")
    @classmethod
    def _a_ground_of_the_list(cls, value: Any) -> Any:
        refusal = grounds.refusal_of_ground(value) if isinstance(value, str) else None
        if refusal:
            raise ValueError(refusal)
        return value

    _reason_refuses_no_one = field_validator("reason")(_refuses_no_one)


class ReviewIn(Strict):
    """A refused family's request for review (复核) of the refusal, with its grounds."""

    grounds: Words = Field(description="why the family holds the refusal wrong, in its words")


class ReviewDecisionIn(Strict):
    """The review's decision, by another officer than the one who refused (the token's)."""

    outcome: Literal["upheld", "overturned"]
    reason: Words

    _reason_refuses_no_one = field_validator("reason")(_refuses_no_one)


class ReviewOut(BaseModel):
    """One review: the refusal reviewed as it stood, the family's grounds, and the decision."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    application_id: str
    reviewed_status: Literal["ineligible", "rejected"]
    reviewed_decision_version: int
    reviewed_ground: RejectionGround | None
    reviewed_reason: str | None
    reviewed_decided_at: datetime
    reviewed_decided_by: str
    grounds: str
    requested_at: datetime
    requested_by: str
    outcome: Literal["upheld", "overturned"] | None = Field(description="None while open")
    decision_reason: str | None
    decided_at: datetime | None
    decided_by: str | None
