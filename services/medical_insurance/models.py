"""Medical insurance's tables: the settlements acted on, one entry per settled member, the
members' filings for care at the origin during a transfer, and the follow-through of each
settlement (its status and open items)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.db import UTCDateTime, new_metadata, platform_tables, utcnow
from shared.follow_through import follow_through_tables
from shared.member_records import MemberRecord, settlement_key


class Base(DeclarativeBase):
    metadata = new_metadata()


TABLES = platform_tables(Base.metadata)
FOLLOW_THROUGH_TABLES = follow_through_tables(TABLES)


class SettlementRecord(Base):
    """An approved settlement this department has acted on (三(六))."""

    __tablename__ = "settlements"

    settlement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    decision_date: Mapped[date] = mapped_column(Date)
    destination_region_code: Mapped[str] = mapped_column(String(6))
    rules_version: Mapped[str | None] = mapped_column(String(60))
    acted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entries: Mapped[list[MemberEntry]] = relationship(
        back_populates="settlement", lazy="raise", order_by="MemberEntry.member_index"
    )


class MemberEntry(MemberRecord, Base):
    """One member's medical insurance entry: a transfer (its id is the transfer id), a
    continuation, an enrollment, or information needed. No names are kept; the identity number
    is, because the origin's fund needs it, and reads show it masked. Two confirmations racing
    cannot both commit (`MemberRecord`)."""

    __tablename__ = "member_entries"

    settlement_id: Mapped[str] = settlement_key("settlements")
    relation: Mapped[str] = mapped_column(String(20))
    birth_date: Mapped[date] = mapped_column(Date)
    id_number: Mapped[str] = mapped_column(String(18))
    previous_region_code: Mapped[str] = mapped_column(String(6))
    previous_hukou_type: Mapped[str] = mapped_column(String(5))

    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    facts_basis: Mapped[str | None] = mapped_column(String(20))
    from_region_code: Mapped[str | None] = mapped_column(String(6))
    from_scheme: Mapped[str | None] = mapped_column(String(30))
    to_scheme: Mapped[str | None] = mapped_column(String(30))
    months_declared: Mapped[int | None] = mapped_column(Integer)
    months_carried_over: Mapped[int | None] = mapped_column(Integer)
    coverage_start: Mapped[date | None] = mapped_column(Date)
    confirmation_deadline: Mapped[date | None] = mapped_column(Date)
    origin_coverage_end: Mapped[date | None] = mapped_column(Date)
    continuous: Mapped[bool | None] = mapped_column(Boolean)
    clause: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    missing: Mapped[list[str]] = mapped_column(JSON)
    parameters: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    # What the department supplied (PUT .../insurance) and the origin's answer, as received:
    # each is read again whenever the settlement is decided again.
    supplied_insurance: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    origin_answer: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    settlement: Mapped[SettlementRecord] = relationship(back_populates="entries", lazy="raise")


# The overdue list: transfers awaiting the origin, by deadline.
Index("ix_member_entries_status_deadline", MemberEntry.status, MemberEntry.confirmation_deadline)


class CareElsewhereFiling(Base):
    """A member's filing (备案) for care at the origin while their transfer is under way
    (三(六) 异地就医结算办法): in force from `starts_on` until the origin answers or the
    department ends it."""

    __tablename__ = "care_elsewhere_filings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("member_entries.id"), index=True)
    settlement_id: Mapped[str] = mapped_column(String(64), index=True)
    member_index: Mapped[int] = mapped_column(Integer)
    care_region_code: Mapped[str] = mapped_column(String(6))
    starts_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(100))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_on: Mapped[date | None] = mapped_column(Date)
    ended_by: Mapped[str | None] = mapped_column(String(100))
    end_reason: Mapped[str | None] = mapped_column(Text)
