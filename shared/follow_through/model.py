"""What a department reports of one settlement: its status and the items it still has open.

A department is `done` exactly when nothing is left for it to do; otherwise it is
`action_needed` and names each gap as an open item: whose (`member_index` 0 is the applicant,
n is `household[n-1]`, None the household), which fact (in the application's own names, or a
parameter as `parameters.<name>`), of what kind, why, since when, and by when.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import JSON, Column, Date, ForeignKey, Index, Integer, String, Table, Text

from shared.db import PlatformTables, UTCDateTime
from shared.rules import Check

Status = Literal["done", "action_needed", "failed"]
ItemKind = Literal["information", "parameter", "confirmation"]

PARAMETER_PREFIX = "parameters."


@dataclass(frozen=True)
class Gap:
    """One thing a decision could not settle: the open item it becomes (or keeps open)."""

    field: str
    reason: str
    kind: ItemKind = "information"
    member_index: int | None = None

    @property
    def key(self) -> tuple[int | None, str, str]:
        """What makes two gaps the same item: whose, which fact, which kind."""
        return (self.member_index, self.field, self.kind)


def gaps_of(checks: Iterable[Check], *, member_index: int | None = None) -> list[Gap]:
    """The gaps a decision's undetermined checks leave: one per fact each still needs, a
    `parameters.<name>` fact being a parameter the department has not recorded."""
    gaps: dict[tuple[int | None, str, str], Gap] = {}
    for check in checks:
        if check.outcome != "undetermined":
            continue
        for path in check.missing:
            kind: ItemKind = "parameter" if path.startswith(PARAMETER_PREFIX) else "information"
            gap = Gap(field=path, reason=check.reason, kind=kind, member_index=member_index)
            gaps.setdefault(gap.key, gap)
    return list(gaps.values())


@dataclass(frozen=True)
class Decision:
    """What a department's decision came to: a summary without personal data, and its gaps."""

    summary: str
    gaps: tuple[Gap, ...] = ()


class OpenItemOut(BaseModel):
    """An open item as the contract shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    member_index: int | None
    field: str
    kind: ItemKind
    reason: str
    opened_at: datetime
    due_on: date | None


class FollowThroughOut(BaseModel):
    """The fields every department's `GET /v1/settlements/{id}` answers begin with."""

    settlement_id: str
    status: Status
    open_items: list[OpenItemOut]
    version: int
    """How many times the department has decided this settlement (1: on approval)."""


@dataclass(frozen=True)
class FollowThroughTables:
    """The follow-through tables a department keeps in its own database.

    `cases` holds each settlement as approved, the facts supplied since, the current status
    and version, and the fingerprint of the parameters its open items wait on; `open_items`
    every item opened, closed ones kept with the version that closed them; `platform` the
    tables of the same database every service keeps (the audit log and the outbox the kernel
    writes to).
    """

    cases: Table
    open_items: Table
    platform: PlatformTables


def follow_through_tables(platform: PlatformTables) -> FollowThroughTables:
    """Declare the follow-through tables on the metadata of a department's `platform` tables."""
    metadata = platform.metadata
    cases = Table(
        "follow_through",
        metadata,
        Column("settlement_id", String(64), primary_key=True),
        Column("approved", JSON, nullable=False),
        Column("supplied", JSON, nullable=False),
        Column("status", String(20), nullable=False),
        Column("version", Integer, nullable=False),
        Column("summary", Text, nullable=False),
        Column("parameters_digest", String(64), nullable=True),
        Column("updated_at", UTCDateTime, nullable=False),
    )
    open_items = Table(
        "open_items",
        metadata,
        Column("id", String(36), primary_key=True),
        Column(
            "settlement_id",
            String(64),
            ForeignKey("follow_through.settlement_id"),
            nullable=False,
            index=True,
        ),
        Column("member_index", Integer, nullable=True),
        Column("field", String(120), nullable=False),
        Column("kind", String(20), nullable=False),
        Column("reason", Text, nullable=False),
        Column("opened_at", UTCDateTime, nullable=False),
        Column("opened_in", Integer, nullable=False),
        Column("due_on", Date, nullable=True),
        Column("closed_at", UTCDateTime, nullable=True),
        Column("closed_in", Integer, nullable=True),
        Index("ix_open_items_kind_open", "kind", "closed_at"),
    )
    return FollowThroughTables(cases, open_items, platform)
