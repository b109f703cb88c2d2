"""Civil affairs' tables: the minimum living guarantee assessment of each settled household.

No names or identity numbers are kept: the guarantee is decided on the household's size and
income, and the settlement id leads back to the people through public security.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime, new_metadata, platform_tables, utcnow
from shared.follow_through import follow_through_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


TABLES = platform_tables(Base.metadata)
FOLLOW_THROUGH_TABLES = follow_through_tables(Base.metadata)


class MinimumLivingAssessment(Base):
    """A settled household's minimum living guarantee (三(七)), one row per settlement, decided
    afresh each time a fact or the standard it waits on arrives."""

    __tablename__ = "minimum_living_assessments"

    # The primary key makes the assessment once per settlement, whatever the bus redelivers.
    settlement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    decision_date: Mapped[date] = mapped_column(Date)
    rules_version: Mapped[str | None] = mapped_column(String(60))
    household_size: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(30), index=True)
    # Money in fen (0.01 yuan): exact on every engine. The decision compared exact decimals;
    # these are the figures it showed.
    per_capita_income_fen: Mapped[int | None] = mapped_column(Integer)
    standard_fen: Mapped[int | None] = mapped_column(Integer)
    information_needed: Mapped[list[str]] = mapped_column(JSON)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    parameters_used: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
