"""Alembic migrations per service: the programmatic upgrade and the shared env.py body."""

from __future__ import annotations

from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, MetaData, engine_from_config, pool

from shared.db import make_engine


def alembic_config(migrations_dir: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    # ConfigParser treats % as interpolation; URLs may hold escaped characters.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(migrations_dir: Path, url: str, revision: str = "head") -> None:
    """Bring a service's database to `revision` (idempotent; safe to run at every start)."""
    config = alembic_config(migrations_dir, url)
    engine = make_engine(url)  # creates the SQLite file's folder, sets its pragmas
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def run_env(metadata: MetaData) -> None:
    """The body of every service's migrations/env.py."""
    config = context.config
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=metadata,
            literal_binds=True,
            render_as_batch=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    shared_connection = config.attributes.get("connection")
    if shared_connection is not None:
        _run_online(shared_connection, metadata)
        return
    connectable = engine_from_config(
        config.get_section(config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with connectable.connect() as connection:
        _run_online(connection, metadata)


def _run_online(connection: Connection, metadata: MetaData) -> None:
    # batch mode lets ALTERs work on SQLite too
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
