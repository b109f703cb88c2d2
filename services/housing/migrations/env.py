"""Alembic environment of the housing service's database."""

from services.housing.models import Base
from shared.migrations import run_env

run_env(Base.metadata)
