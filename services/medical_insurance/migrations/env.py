"""Alembic environment of the medical insurance service's database."""

from services.medical_insurance.models import Base
from shared.migrations import run_env

run_env(Base.metadata)
