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

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

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


# Audit ---------------------------------------------------------------------------------------
# The heads of every service's audit chain, as each published them (四(四), shared/audit_heads.py),
# and the audit department's findings followed to closure (四(四) 审计监督). Neither is part of the
# view `luohu coordination rebuild` empties: a head is evidence the office keeps, and a finding
# comes from no event.


class PublishedAuditHead(Base):
    """A head a service published: counted for the service whose key signed it. One that goes
    backwards (a lower sequence than one held, or the same with another hash) is kept, flagged."""

    __tablename__ = "published_audit_heads"
    __table_args__ = (
        Index("ix_published_audit_heads_service", "service", "sequence"),
        UniqueConstraint("service", "sequence", "hash", name="uq_published_audit_heads_entry"),
    )

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service: Mapped[str] = mapped_column(String(40))
    sequence: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    incident: Mapped[str | None] = mapped_column(Text)
    """Why the head is an incident (it goes backwards), or None."""


class AuditFinding(Base):
    """A finding of the audit department against a county or a department, and where its
    rectification (整改) stands: `open`, `rectifying` once answered, `closed` by audit."""

    __tablename__ = "audit_findings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    region_code: Mapped[str | None] = mapped_column(String(6), index=True)
    department: Mapped[str] = mapped_column(String(40), index=True)
    """Who answers it: the department named, or `coordination` for a county's."""
    service: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    clause: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by: Mapped[str] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    steps: Mapped[list[FindingStep]] = relationship(
        order_by="FindingStep.at, FindingStep.id", cascade="all, delete-orphan"
    )


class FindingStep(Base):
    """One step of a finding's follow-up: a rectification step recorded, or audit closing or
    reopening it."""

    __tablename__ = "audit_finding_steps"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    finding_id: Mapped[str] = mapped_column(ForeignKey("audit_findings.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    department: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)


# Supervision (四(三) 纳入市政府督查工作范围): the open items of the latest reports one row each,
# so the items due by a day are a query, and the office's own follow-up list (督办). The items
# come from events and are read again by `luohu coordination rebuild`; the follow-ups are the
# office's own records, which no rebuild removes.


class SupervisedItem(Base):
    """One open item of a department's latest report on a settlement, as the report lists it:
    gone when the department's later report no longer lists it."""

    __tablename__ = "supervised_items"

    settlement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service: Mapped[str] = mapped_column(String(40), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    member_index: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_on: Mapped[date | None] = mapped_column(Date, index=True)


class FollowUp(Base):
    """The office chasing one open item of one department (督办): open until the department
    reports the item done, then closed by that report."""

    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_item", "settlement_id", "service", "item_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    settlement_id: Mapped[str] = mapped_column(String(64))
    service: Mapped[str] = mapped_column(String(40))
    item_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(10), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    opened_by: Mapped[str] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_by_event_id: Mapped[str | None] = mapped_column(String(64))
    closed_reason: Mapped[str | None] = mapped_column(Text)
    chases: Mapped[list[FollowUpChase]] = relationship(
        order_by="FollowUpChase.sequence", cascade="all, delete-orphan"
    )


class FollowUpChase(Base):
    """Each time the office chased the item: when, by whom, and whom it asked."""

    __tablename__ = "follow_up_chases"

    follow_up_id: Mapped[str] = mapped_column(ForeignKey("follow_ups.id"), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    chased_at: Mapped[datetime] = mapped_column(UTCDateTime)
    chased_by: Mapped[str] = mapped_column(String(200))
    asked_office: Mapped[str] = mapped_column(String(80))
    asked_contact: Mapped[str] = mapped_column(String(120))
    note: Mapped[str] = mapped_column(Text)


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
