"""Civil affairs' tables: the minimum living guarantee assessment of each settled household.

No names or identity numbers are kept: the guarantee is decided on the household's size and
income, and the settlement id leads back to the people through public security.
"""

from __future__ import annotations

from sqlalchemy import Integer
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.assessment import HouseholdAssessment
from shared.db import new_metadata, platform_tables
from shared.follow_through import follow_through_tables


class Base(DeclarativeBase):
    metadata = new_metadata()


TABLES = platform_tables(Base.metadata)
FOLLOW_THROUGH_TABLES = follow_through_tables(TABLES)


class MinimumLivingAssessment(HouseholdAssessment, Base):
    """A settled household's minimum living guarantee (三(七)), one row per settlement, decided
    afresh each time a fact or the standard it waits on arrives."""

    __tablename__ = "minimum_living_assessments"

    # Money in fen (0.01 yuan): exact on every engine. The decision compared exact decimals;
    # these are the figures it showed.
    per_capita_income_fen: Mapped[int | None] = mapped_column(Integer)
    standard_fen: Mapped[int | None] = mapped_column(Integer)
