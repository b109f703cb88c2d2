"""Housing's tables: assessments of settled households, their applications, the waiting lists.

No names or identity numbers are kept: housing security is decided on the household's size
and housing facts, and the settlement id leads back to the people through public security.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.assessment import HouseholdAssessment
from shared.db import UTCDateTime, new_metadata, platform_tables, utcnow
from shared.follow_through import follow_through_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


TABLES = platform_tables(Base.metadata)
FOLLOW_THROUGH_TABLES = follow_through_tables(TABLES)


class HousingAssessment(HouseholdAssessment, Base):
    """A settled household's housing-security eligibility (三(五)), decided once per settlement."""

    __tablename__ = "housing_assessments"

    forms: Mapped[list[str]] = mapped_column(JSON)
    # Money in fen (0.01 yuan): exact on every engine.
    monthly_rental_subsidy_fen: Mapped[int | None] = mapped_column(Integer)

    applications: Mapped[list[HousingApplication]] = relationship(
        lazy="raise", order_by="HousingApplication.applied_at"
    )


class HousingApplication(Base):
    """A household's application for one form of housing security, and the outcome recorded.

    A public rental housing application takes the next queue number of its county when made,
    and waits on that county's list until an outcome is recorded.
    """

    __tablename__ = "housing_applications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    settlement_id: Mapped[str] = mapped_column(
        ForeignKey("housing_assessments.settlement_id"), index=True
    )
    form: Mapped[str] = mapped_column(String(30))
    region_code: Mapped[str] = mapped_column(String(6))
    household_size: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    queue_number: Mapped[int | None] = mapped_column(Integer)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    applied_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    monthly_subsidy_fen: Mapped[int | None] = mapped_column(Integer)
    unit_reference: Mapped[str | None] = mapped_column(String(100))
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    # Optimistic lock: two outcomes racing cannot both be recorded.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API
    __table_args__ = (
        # Two applications racing for a county's next number: one insert fails and is retried.
        UniqueConstraint("region_code", "queue_number", name="uq_housing_applications_queue"),
        Index("ix_housing_applications_waiting", "region_code", "status", "queue_number"),
    )


class HeldApplication(Base):
    """The one pending or granted application a household holds: the primary key keeps it
    to one even when two applications race; a refusal releases it."""

    __tablename__ = "held_applications"

    settlement_id: Mapped[str] = mapped_column(
        ForeignKey("housing_assessments.settlement_id"), primary_key=True
    )
    application_id: Mapped[str] = mapped_column(ForeignKey("housing_applications.id"))
