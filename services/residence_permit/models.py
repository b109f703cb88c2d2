"""Residence permit tables: residence registrations and their addresses, permits, their
endorsements, and the settlements acted on (with the follow-through's own tables,
`follow_through` and `open_items`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.db import UTCDateTime, new_metadata, platform_tables, utcnow
from shared.follow_through import follow_through_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


TABLES = platform_tables(Base.metadata)
FOLLOW_THROUGH_TABLES = follow_through_tables(TABLES)


class ResidenceRegistration(Base):
    """A residence registration (居住登记) of one of the floating population: registered, moved
    (居住变更登记), ended when they leave (广东省流动人口服务管理条例 第七条). The current county
    and address are the latest of `addresses`."""

    __tablename__ = "residence_registrations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(100))
    hukou_region_code: Mapped[str] = mapped_column(String(6))
    registered_on: Mapped[date] = mapped_column(Date)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str] = mapped_column(String(300))
    # The day the person left: the registration is in force up to the day before.
    ended_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer, default=1)

    addresses: Mapped[list[RegisteredAddress]] = relationship(
        lazy="raise", order_by="RegisteredAddress.position"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API


class RegisteredAddress(Base):
    """Where a registration placed the person from `since`: the first at registration, one
    more for each move."""

    __tablename__ = "registered_addresses"

    registration_id: Mapped[str] = mapped_column(
        ForeignKey("residence_registrations.id"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    since: Mapped[date] = mapped_column(Date)
    region_code: Mapped[str] = mapped_column(String(6))
    address: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(100))


class OpenRegistration(Base):
    """The person's one registration in force: the primary key holds "one at a time" even when
    two registrations race. Removed when the registration ends."""

    __tablename__ = "open_registrations"

    id_number: Mapped[str] = mapped_column(String(18), primary_key=True)
    registration_id: Mapped[str] = mapped_column(
        ForeignKey("residence_registrations.id"), unique=True
    )


class ResidencePermit(Base):
    """A residence permit (居住证): issued for a year, endorsed yearly, closed on settlement."""

    __tablename__ = "residence_permits"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[date] = mapped_column(Date)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str] = mapped_column(String(300))
    hukou_region_code: Mapped[str] = mapped_column(String(6))
    # The first day of the registered residence the permit counted (三(九); 第二条).
    resident_since: Mapped[date] = mapped_column(Date)
    registration_id: Mapped[str] = mapped_column(ForeignKey("residence_registrations.id"))
    basis: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[str | None] = mapped_column(String(500))
    guardian: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    applied_on: Mapped[date] = mapped_column(Date)
    issued_on: Mapped[date] = mapped_column(Date)
    # The current year of validity, both ends inclusive.
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date, index=True)
    # 第十条: residence counts unbroken from here (the issue, or the last make-up endorsement).
    period_start: Mapped[date] = mapped_column(Date)
    years_in_period: Mapped[int] = mapped_column(Integer)
    decision: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_reason: Mapped[str | None] = mapped_column(String(20))
    closed_by_settlement_id: Mapped[str | None] = mapped_column(String(64), index=True)
    superseded_by: Mapped[str | None] = mapped_column(String(36))
    # Optimistic lock: two endorsements racing cannot both extend the same year.
    version: Mapped[int] = mapped_column(Integer, default=1)

    endorsements: Mapped[list[Endorsement]] = relationship(
        lazy="raise", order_by="Endorsement.endorsed_on", back_populates="permit"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API


class Endorsement(Base):
    """A yearly endorsement (签注): on time, or a make-up after the permit lapsed (第十条)."""

    __tablename__ = "endorsements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    permit_id: Mapped[str] = mapped_column(ForeignKey("residence_permits.id"), index=True)
    endorsed_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10))
    previous_valid_to: Mapped[date] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(100))

    permit: Mapped[ResidencePermit] = relationship(back_populates="endorsements", lazy="raise")


class OpenPermit(Base):
    """The person's one open permit: the primary key holds "one permit at a time" even when
    two applications race on PostgreSQL. Removed when the permit is closed."""

    __tablename__ = "open_permits"

    id_number: Mapped[str] = mapped_column(String(18), primary_key=True)
    permit_id: Mapped[str] = mapped_column(ForeignKey("residence_permits.id"), unique=True)


class SettlementRecord(Base):
    """An approved settlement whose members' permits this service has closed: written once, on
    the first decision, and kept as it is by every later one."""

    __tablename__ = "settlements"

    settlement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    settled_on: Mapped[date] = mapped_column(Date)
    destination_region_code: Mapped[str] = mapped_column(String(6))
    summary: Mapped[str] = mapped_column(Text)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SettledPerson(Base):
    """A member of a processed settlement: a registered resident of Shaoguan from settled_on."""

    __tablename__ = "settled_persons"

    settlement_id: Mapped[str] = mapped_column(
        ForeignKey("settlements.settlement_id"), primary_key=True
    )
    id_number: Mapped[str] = mapped_column(String(18), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer)
    relation: Mapped[str] = mapped_column(String(20))
    settled_on: Mapped[date] = mapped_column(Date)
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)


class PermitClosure(Base):
    """A permit closed because its holder settled: once per settlement and permit."""

    __tablename__ = "permit_closures"

    settlement_id: Mapped[str] = mapped_column(
        ForeignKey("settlements.settlement_id"), primary_key=True
    )
    permit_id: Mapped[str] = mapped_column(
        ForeignKey("residence_permits.id"), primary_key=True, unique=True
    )
    id_number: Mapped[str] = mapped_column(String(18))
    region_code: Mapped[str] = mapped_column(String(6))
    status_before: Mapped[str] = mapped_column(String(10))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)


Index("ix_residence_permits_region_valid_to", ResidencePermit.region_code, ResidencePermit.valid_to)
