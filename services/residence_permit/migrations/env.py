"""Alembic environment of the residence permit service's database."""

from services.residence_permit.models import Base
from shared.migrations import run_env

run_env(Base.metadata)
