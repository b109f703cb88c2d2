"""Alembic environment of the education service's database."""

from services.education.models import Base
from shared.migrations import run_env

run_env(Base.metadata)
