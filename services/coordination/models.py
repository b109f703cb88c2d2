"""The coordination office's read model: what it has been told of each settlement.

Nothing here names or describes a person: an approval's clear fields (the county, the channel,
the household's size, the day), each department's latest report, and one timeline entry per
event. Every row comes from an event, so the model can be emptied and read again from the log
(`luohu coordination rebuild`); only statistics' population figures (`PopulationFigures`) are
the office's own records, and a rebuild keeps them.
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


# Statistics and reports ------------------------------------------------------------------------
# (四(二), 一.1, 一.2, 三(一), 三(二): services/coordination/statistics.py and reports.py.)


class PopulationFigures(Base):
    """A county's or the city's year-end population as statistics recorded it (四(二) 市统计局):
    the office's own record, not read from an event, so a rebuild keeps it. A change is in the
    audit log with the figures it replaced."""

    __tablename__ = "population_figures"

    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_population: Mapped[int] = mapped_column(Integer)
    urban_resident_population: Mapped[int] = mapped_column(Integer)
    registered_population: Mapped[int] = mapped_column(Integer)
    registered_urban_population: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RuralRegisteredCount(Base):
    """How many of a settlement's people were agricultural-registered before (三(一)), as its
    approval said; no row for an approval that did not say (unknown, never zero)."""

    __tablename__ = "rural_registered_counts"

    settlement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    persons: Mapped[int] = mapped_column(Integer)


class HeldPermit(Base):
    """A residence permit as its changes told it: its county and, once closed, the day."""

    __tablename__ = "held_permits"

    permit_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    closed_on: Mapped[date | None] = mapped_column(Date)


class PermitValidity(Base):
    """One year of validity a permit held (its issue, or an endorsement): a permit is held on
    a day inside one of them and before its closing day."""

    __tablename__ = "permit_validity"

    permit_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    valid_from: Mapped[date] = mapped_column(Date, primary_key=True)
    valid_to: Mapped[date] = mapped_column(Date)
