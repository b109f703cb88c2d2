"""Alembic environment of the hukou service's database."""

from services.hukou.models import Base
from shared.migrations import run_env

run_env(Base.metadata)
