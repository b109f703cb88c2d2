"""Hukou's tables: applications, their household members, every version of their decision,
reviews of refusals (复核), fan-out progress, targets."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.db import UTCDateTime, new_metadata, platform_tables, utcnow


class Base(DeclarativeBase):
    metadata = new_metadata()


TABLES = platform_tables(Base.metadata)


class SettlementApplication(Base):
    """One household's application to settle (落户申请), decided under the policy's rules."""

    __tablename__ = "settlement_applications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    channel: Mapped[str] = mapped_column(String(40), index=True)
    destination_region_code: Mapped[str] = mapped_column(String(6), index=True)
    received_on: Mapped[date] = mapped_column(Date)
    received_on_reason: Mapped[str | None] = mapped_column(Text)
    """Why an application lodged before the day it was entered was entered only then."""
    stock_first: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    """Whether the applicant already lives in the city: the work queue takes them first (二.8)."""
    queue_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    submitted_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rules_version: Mapped[str | None] = mapped_column(String(60))
    eligibility: Mapped[dict[str, Any]] = mapped_column(JSON)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    approved_by: Mapped[str | None] = mapped_column(String(100))
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_by: Mapped[str | None] = mapped_column(String(100))
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    rejection_ground: Mapped[str | None] = mapped_column(String(40))
    rejected_from: Mapped[str | None] = mapped_column(String(20))
    """The status a rejection closed: the one a review that overturns it gives back."""
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    """The current decision: the latest of `decisions` (eligibility and request are its copy)."""
    # Optimistic lock: two approvals racing cannot both commit a transition.
    version: Mapped[int] = mapped_column(Integer, default=1)

    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="application", lazy="raise", order_by="HouseholdMember.position"
    )
    fanout: Mapped[list[FanoutStatus]] = relationship(lazy="raise")
    decisions: Mapped[list[DecisionVersion]] = relationship(
        lazy="raise", order_by="DecisionVersion.version"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API


class HouseholdMember(Base):
    """A person in an application: the applicant (position 0) and the family settling along."""

    __tablename__ = "household_members"

    application_id: Mapped[str] = mapped_column(
        ForeignKey("settlement_applications.id"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(100))
    relation: Mapped[str] = mapped_column(String(20))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(6))
    hukou_region_code: Mapped[str] = mapped_column(String(6))
    hukou_type: Mapped[str] = mapped_column(String(5))

    application: Mapped[SettlementApplication] = relationship(
        back_populates="members", lazy="raise"
    )


class DecisionVersion(Base):
    """One decision on an application, kept for good: what was known (the request as it then
    stood), what was decided, by whom and when. Submission is version 1; each reassessment adds
    the next; none is ever changed."""

    __tablename__ = "decision_versions"

    application_id: Mapped[str] = mapped_column(
        ForeignKey("settlement_applications.id"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    trigger: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    rules_version: Mapped[str | None] = mapped_column(String(60))
    eligibility: Mapped[dict[str, Any]] = mapped_column(JSON)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    supplied: Mapped[list[str]] = mapped_column(JSON, default=list)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by: Mapped[str] = mapped_column(String(100))


class ApplicationReview(Base):
    """A family's request for review (复核) of a refusal, and its decision by another officer
    than the one who refused, kept for good: the refusal reviewed is copied in."""

    __tablename__ = "application_reviews"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    application_id: Mapped[str] = mapped_column(
        ForeignKey("settlement_applications.id"), index=True
    )
    reviewed_status: Mapped[str] = mapped_column(String(20))
    """ineligible (the rules' decision) or rejected (an officer's)."""
    reviewed_decision_version: Mapped[int] = mapped_column(Integer)
    reviewed_ground: Mapped[str | None] = mapped_column(String(40))
    reviewed_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_decided_by: Mapped[str] = mapped_column(String(100))
    grounds: Mapped[str] = mapped_column(Text)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str | None] = mapped_column(String(20))
    """upheld | overturned; None while the review is open."""
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))


class OpenClaim(Base):
    """A person held by an open application: the primary key makes "one open application
    per person" hold even when two submissions race on PostgreSQL."""

    __tablename__ = "open_claims"

    id_number: Mapped[str] = mapped_column(String(18), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("settlement_applications.id"))


class FanoutStatus(Base):
    """How far one downstream department has got with an approved settlement."""

    __tablename__ = "fanout_statuses"

    application_id: Mapped[str] = mapped_column(
        ForeignKey("settlement_applications.id"), primary_key=True
    )
    service: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    """pending | done | action_needed | failed (docs/contract.md, "Follow-through")."""
    summary: Mapped[str | None] = mapped_column(Text)
    open_items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """What the department last reported still open, as its report gave it."""
    version: Mapped[int | None] = mapped_column(Integer)
    """The department's decision the status comes from: a later one wins, an older is stale."""
    event_id: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SettlementTarget(Base):
    """Public security's target of people settled in a county and year (一.1, 二.7):
    a number to steer by, never a cap that refuses an eligible person."""

    __tablename__ = "settlement_targets"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    target_persons: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(100))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


Index(
    "ix_settlement_applications_status_destination",
    SettlementApplication.status,
    SettlementApplication.destination_region_code,
)
