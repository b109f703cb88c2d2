"""Alembic migrations per service: one shared environment, and each service's revisions since
its baseline, the models as they were squashed (2026-12-02).

A fresh database is built from the models and stamped at the head revision (Alembic's cookbook,
"Building an Up to Date Database from Scratch"); a database that exists is upgraded. A database
with the tables but no version row is at the baseline: the first revision upgrades it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command, context
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData
from sqlalchemy.engine.url import make_url

from shared.db import make_engine

ENVIRONMENT = Path(__file__).parent / "migration_env"

# The PostgreSQL advisory lock every migration holds ("luohu" in ASCII): replicas starting at
# once take turns. SQLite needs none: the writer's BEGIN IMMEDIATE takes the database's lock.
MIGRATION_LOCK = 0x6C756F6875


class UnknownRevision(RuntimeError):
    """The database is stamped at a revision this code does not know (one from before the
    squash, say): it cannot be upgraded, only recreated."""

    def __init__(self, service: str, url: str, revisions: list[str]) -> None:
        where = make_url(url).render_as_string(hide_password=True)
        super().__init__(
            f"{service}: the database {where} is at revision {', '.join(revisions)}, which this "
            "version does not know (the migrations were squashed into the models on "
            "2026-12-02). It held no production data: delete it (`make clean` removes var/) "
            "or drop it, and start again; it is then built afresh."
        )


class SchemaDrift(RuntimeError):
    """The database is at the head revision, yet its tables are not the models': the models
    changed and no revision says how (docs/department-services.md, "Changing a department's
    models")."""

    def __init__(self, service: str, url: str, differences: list[Any]) -> None:
        where = make_url(url).render_as_string(hide_password=True)
        listed = "; ".join(_described(difference) for difference in differences[:5])
        more = f"; and {len(differences) - 5} more" if len(differences) > 5 else ""
        super().__init__(
            f"{service}: the database {where} is at its head revision but does not match the "
            f"models ({listed}{more}). A change of the models needs its revision (`luohu "
            f'migrate --new "<message>" {service}`); a database with no data worth keeping can '
            "be deleted instead (`make clean` removes var/), and is built afresh."
        )


def _described(difference: Any) -> str:
    """`add_column audit_log sequence`: an Alembic comparison's kind and the names it concerns."""
    first = difference[0] if isinstance(difference, list) else difference
    kind, *subjects = first
    names = [s if isinstance(s, str) else getattr(s, "name", None) for s in subjects]
    return " ".join([kind, *(name for name in names if name)])


class NothingToCompare(RuntimeError):
    """`new_revision` found no tables: a revision is the models' difference from a database
    at the head revision, and an empty one would be built from the changed models."""


def versions_dir(service: str) -> Path:
    """The folder of a service's revisions: `migrations/` beside its package (absent until its
    first revision is written)."""
    package = importlib.util.find_spec(f"services.{service}")
    if package is None or package.origin is None:
        raise LookupError(f"no package services.{service}")
    return Path(package.origin).parent / "migrations"


def check_revision(service: str, url: str, metadata: MetaData | None = None) -> None:
    """Raise `UnknownRevision` if the service's database is stamped at a revision its
    `versions_dir` does not hold, or `SchemaDrift` if, at the head revision, its tables are not
    `metadata`'s (an absent database is fine: it is built afresh)."""
    config = alembic_config(versions_dir(service), metadata or MetaData(), url)
    engine = make_engine(url, writer=False)
    try:
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            _check_known(service, config)
            built = metadata is not None and not _is_fresh(connection, metadata)
            if built and _at_head(config):
                _check_matches(service, config)
    finally:
        engine.dispose()


def alembic_config(versions_dir: Path, metadata: MetaData, url: str) -> Config:
    """The configuration of one service's migrations: its versions, its models, its database."""
    config = Config()
    config.set_main_option("script_location", str(ENVIRONMENT))
    config.set_main_option("path_separator", "os")  # a folder's path may hold a space
    config.set_main_option("version_locations", str(versions_dir))
    # ConfigParser treats % as interpolation; URLs may hold escaped characters.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["target_metadata"] = metadata
    return config


@contextmanager
def locked_config(versions_dir: Path, metadata: MetaData, url: str) -> Iterator[Config]:
    """`alembic_config` on one transaction of the database, under the migration lock."""
    config = alembic_config(versions_dir, metadata, url)
    engine = make_engine(url)  # creates the SQLite file's folder, sets its pragmas
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK)))
            config.attributes["connection"] = connection
            yield config
    finally:
        engine.dispose()


def upgrade(service: str, versions_dir: Path, metadata: MetaData, url: str) -> None:
    """Bring a service's database to the head revision (idempotent; safe at every start)."""
    with locked_config(versions_dir, metadata, url) as config:
        connection: Connection = config.attributes["connection"]
        if _is_fresh(connection, metadata):
            metadata.create_all(connection)
            command.stamp(config, "head")
            return
        _check_known(service, config)
        command.upgrade(config, "head")
        _check_matches(service, config)


def new_revision(
    service: str, versions_dir: Path, metadata: MetaData, url: str, message: str
) -> None:
    """Write the next revision into `versions_dir`, autogenerated from the difference of the
    models and the database at `url` (brought to the head revision first)."""
    with locked_config(versions_dir, metadata, url) as config:
        if _is_fresh(config.attributes["connection"], metadata):
            raise NothingToCompare(
                f"{service}: no tables at {make_url(url).render_as_string(hide_password=True)} "
                "to compare the models with: build the database before you change the models "
                f"(`luohu migrate {service}`), or name one at the head revision in "
                "LUOHU_DATABASE_URL"
            )
        _check_known(service, config)
        command.upgrade(config, "head")
        versions_dir.mkdir(parents=True, exist_ok=True)
        command.revision(config, message=message, autogenerate=True)


def _is_fresh(connection: Connection, metadata: MetaData) -> bool:
    # None of the service's tables and no version row: nothing to upgrade, only to build.
    present = set(sa.inspect(connection).get_table_names()) & set(metadata.tables)
    return not present and not MigrationContext.configure(connection).get_current_heads()


def _check_known(service: str, config: Config) -> None:
    script = ScriptDirectory.from_config(config)
    known = {revision.revision for revision in script.walk_revisions()}
    current = MigrationContext.configure(config.attributes["connection"]).get_current_heads()
    unknown = sorted(set(current) - known)
    if unknown:
        raise UnknownRevision(service, config.get_main_option("sqlalchemy.url", ""), unknown)


def _at_head(config: Config) -> bool:
    heads = set(ScriptDirectory.from_config(config).get_heads())
    current = MigrationContext.configure(config.attributes["connection"]).get_current_heads()
    return set(current) == heads


def _check_matches(service: str, config: Config) -> None:
    """At the head revision the database is the models, or the models changed unrecorded."""
    connection: Connection = config.attributes["connection"]
    metadata: MetaData = config.attributes["target_metadata"]
    differences = compare_metadata(MigrationContext.configure(connection), metadata)
    if differences:
        raise SchemaDrift(service, config.get_main_option("sqlalchemy.url", ""), differences)


def run_env(metadata: MetaData) -> None:
    """The body of the shared env.py: online on the caller's connection, or offline as SQL."""
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
    # batch mode lets ALTERs work on SQLite too
    connection = config.attributes["connection"]
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
