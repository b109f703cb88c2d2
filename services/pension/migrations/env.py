"""Alembic environment of the pension service's database."""

from services.pension.models import Base
from shared.migrations import run_env

run_env(Base.metadata)
