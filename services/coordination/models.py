"""The coordination office's read model: what it has been told of each settlement.

Nothing here names or describes a person: an approval's clear fields (the county, the channel,
the household's size, the day), each department's latest report, and one timeline entry per
event. Every row comes from an event, so the whole model can be emptied and read again from the
log (`luohu coordination rebuild`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime, new_metadata, platform_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


TABLES = platform_tables(Base.metadata)


class SettlementProgress(Base):
    """One settlement as the office knows it: the approval's clear fields, once it has read the
    approval (a department's report may come first), and where the family stands overall."""

    __tablename__ = "settlement_progress"

    settlement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    channel: Mapped[str | None] = mapped_column(String(40))
    household_size: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_date: Mapped[date | None] = mapped_column(Date, index=True)
    approval_event_id: Mapped[str | None] = mapped_column(String(64))


class DepartmentReport(Base):
    """A department's latest report on a settlement: the highest `version` it sent."""

    __tablename__ = "department_reports"

    settlement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    summary: Mapped[str] = mapped_column(Text)
    open_items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    version: Mapped[int | None] = mapped_column(Integer)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    event_id: Mapped[str] = mapped_column(String(64))


class TimelineEntry(Base):
    """One event of a settlement, once: an approval, or one decision of one department."""

    __tablename__ = "timeline_entries"
    __table_args__ = (Index("ix_timeline_entries_settlement", "settlement_id", "occurred_at"),)

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    settlement_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(200))
    service: Mapped[str] = mapped_column(String(40))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str | None] = mapped_column(String(20))
    version: Mapped[int | None] = mapped_column(Integer)
    open_items: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
