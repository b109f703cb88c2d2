"""The Alembic environment every service's database shares; the service's metadata and its
migrations folder come from `shared.migrations.alembic_config`."""

from alembic import context

from shared.migrations import run_env

run_env(context.config.attributes["target_metadata"])
