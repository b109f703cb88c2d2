"""Education's tables: settlements acted on, each child's placement, student-status transfers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.db import UTCDateTime, new_metadata, platform_tables, utcnow
from shared.follow_through import follow_through_tables
from shared.member_records import MemberRecord, settlement_key


class Base(DeclarativeBase):
    metadata = new_metadata()


TABLES = platform_tables(Base.metadata)
FOLLOW_THROUGH_TABLES = follow_through_tables(TABLES)


class SettledFamily(Base):
    """One approved settlement education has acted on (三(八)), as last decided; its primary key
    keeps it to one row however often the settlement is decided again."""

    __tablename__ = "settled_families"

    settlement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    destination_region_code: Mapped[str] = mapped_column(String(6), index=True)
    decision_date: Mapped[date] = mapped_column(Date)
    rules_version: Mapped[str | None] = mapped_column(String(60))
    school_year: Mapped[int] = mapped_column(Integer)
    school_year_start: Mapped[date] = mapped_column(Date)
    parameters: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    information_needed: Mapped[list[str]] = mapped_column(JSON)
    summary: Mapped[str] = mapped_column(Text)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    placements: Mapped[list[Placement]] = relationship(
        lazy="raise", order_by="Placement.member_index"
    )
    transfers: Mapped[list[StudentTransfer]] = relationship(
        lazy="raise", order_by="StudentTransfer.member_index"
    )


class Placement(Base):
    """A child's school placement, or why there is none (三(八)), with the notice to the family.

    Once decided (placed or not) it stands: a later decision of the settlement neither places
    the child again nor sends the notice twice; only a placement waiting on information is
    decided again."""

    __tablename__ = "placements"

    settlement_id: Mapped[str] = mapped_column(
        ForeignKey("settled_families.settlement_id"), primary_key=True
    )
    member_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(100))
    relation: Mapped[str] = mapped_column(String(20))
    birth_date: Mapped[date] = mapped_column(Date)
    county: Mapped[str] = mapped_column(String(6))
    school_year: Mapped[int] = mapped_column(Integer)
    age_at_start: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(20))
    stage: Mapped[str | None] = mapped_column(String(20))
    clause: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    missing: Mapped[list[str]] = mapped_column(JSON)
    notice_text: Mapped[str | None] = mapped_column(Text)
    notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StudentTransfer(MemberRecord, Base):
    """A student-status transfer (学籍转接) into the destination county, requested by education;
    two completions racing cannot both commit (`MemberRecord`)."""

    __tablename__ = "student_transfers"

    settlement_id: Mapped[str] = settlement_key("settled_families")
    id_number: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(20))
    from_region_code: Mapped[str] = mapped_column(String(6))
    to_region_code: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(10))
    clause: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_on: Mapped[date | None] = mapped_column(Date)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by: Mapped[str | None] = mapped_column(String(100))
    receiving_school: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)


# The planning view reads a county's placements by school year.
Index("ix_placements_county_school_year", Placement.county, Placement.school_year)
Index(
    "ix_student_transfers_to_region_status_requested",
    StudentTransfer.to_region_code,
    StudentTransfer.status,
    StudentTransfer.requested_at,
)
