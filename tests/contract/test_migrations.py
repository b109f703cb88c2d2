"""Every service's migrations build its schema on SQLite and PostgreSQL, matching its models."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared import migrations
from shared.db import make_engine
from shared.launcher import built_services


@pytest.mark.parametrize("service", built_services())
def test_migrations_build_the_schema_the_models_describe(service: str, database_url: str) -> None:
    spec = importlib.import_module(f"services.{service}.app").SPEC
    metadata = spec.tables.metadata

    migrations.upgrade(spec.migrations_dir, metadata, database_url)
    migrations.upgrade(spec.migrations_dir, metadata, database_url)  # a second start: no change

    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
    finally:
        engine.dispose()
    assert differences == [], f"{service}: models and migrations differ: {differences}"
