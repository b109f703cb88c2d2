"""Pension's tables: settlements acted on, each adult's continuation, and the follow-through."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.pension.rules.base import ContinuationStatus, MonthsSource, SchemeOrUnknown
from shared.db import UTCDateTime, new_metadata, platform_tables, utcnow
from shared.follow_through import follow_through_tables
from shared.member_records import MemberRecord, settlement_key


class Base(DeclarativeBase):
    metadata = new_metadata()


TABLES = platform_tables(Base.metadata)
FOLLOW_THROUGH_TABLES = follow_through_tables(TABLES)


class PensionSettlement(Base):
    """An approved settlement pension has acted on: one row per settlement, brought up to date
    by each decision (the follow-through and the audit log keep each version)."""

    __tablename__ = "pension_settlements"

    settlement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    decision_date: Mapped[date] = mapped_column(Date)
    destination_region_code: Mapped[str] = mapped_column(String(6), index=True)
    rules_version: Mapped[str | None] = mapped_column(String(60))
    household_size: Mapped[int] = mapped_column(Integer)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # last decided

    continuations: Mapped[list[PensionContinuation]] = relationship(
        lazy="raise", order_by="PensionContinuation.member_index"
    )


class PensionContinuation(MemberRecord, Base):
    """One adult's basic pension continuation (养老保险关系转移接续), 三(七): decided again, in
    place, on each decision; the origin's confirmation is kept apart, as the fact it is. Two
    confirmations racing cannot both commit (`MemberRecord`)."""

    __tablename__ = "pension_continuations"

    settlement_id: Mapped[str] = settlement_key("pension_settlements", index=True)
    relation: Mapped[str] = mapped_column(String(20))
    # The department's own record keeps the number to act on; answers show it masked.
    id_number: Mapped[str] = mapped_column(String(18))
    age_on_decision_date: Mapped[int] = mapped_column(Integer)
    scheme: Mapped[SchemeOrUnknown] = mapped_column(String(30))
    months_stated: Mapped[int | None] = mapped_column(Integer)  # as the application gave them
    months_carried_over: Mapped[int | None] = mapped_column(Integer)
    months_source: Mapped[MonthsSource | None] = mapped_column(String(30))
    origin_region_code: Mapped[str] = mapped_column(String(6))
    status: Mapped[ContinuationStatus] = mapped_column(String(20), index=True)
    clause: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    missing: Mapped[list[str]] = mapped_column(JSON)
    parameters: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    pension_age: Mapped[str | None] = mapped_column(String(40))
    pension_age_reached_on: Mapped[date | None] = mapped_column(Date)
    # The origin's confirmation, written only by its route; every later decision reads it.
    confirmed_months: Mapped[int | None] = mapped_column(Integer)
    confirmed_origin_region_code: Mapped[str | None] = mapped_column(String(6))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[str | None] = mapped_column(String(100))
    confirmation_reference: Mapped[str | None] = mapped_column(String(200))
