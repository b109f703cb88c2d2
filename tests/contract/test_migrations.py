"""Every service's database, built from its models or migrated, matches its models on SQLite
and PostgreSQL; a revision written later upgrades the baseline and downgrades to it."""

from __future__ import annotations

import dataclasses
import importlib
import re
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from typer.testing import CliRunner

from shared import migrations
from shared.cli import app as cli
from shared.db import PlatformTables, make_engine, new_metadata
from shared.launcher import built_services
from shared.service import ServiceSpec
from tests.migration_support import stamp_before_the_squash


def spec_of(service: str) -> ServiceSpec:
    spec: ServiceSpec = importlib.import_module(f"services.{service}.app").SPEC
    return spec


def differences(url: str, metadata: sa.MetaData) -> list[object]:
    """What the database at `url` lacks or has beyond `metadata` (empty: they agree)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(compare_metadata(MigrationContext.configure(connection), metadata))
    finally:
        engine.dispose()


def version_rows(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()


@pytest.mark.parametrize("service", built_services())
def test_a_fresh_database_is_built_at_head_from_the_models(service: str, database_url: str) -> None:
    spec = spec_of(service)

    spec.migrate(database_url)
    assert differences(database_url, spec.tables.metadata) == []
    assert version_rows(database_url) == []  # no revisions since the baseline

    spec.migrate(database_url)  # a second start changes nothing
    assert differences(database_url, spec.tables.metadata) == []
    assert version_rows(database_url) == []


def test_replicas_starting_at_once_build_the_database_once(database_url: str) -> None:
    spec = spec_of("hukou")
    failures: list[BaseException] = []

    def start() -> None:
        try:
            spec.migrate(database_url)
        except BaseException as exc:  # reported below, as the test's failure
            failures.append(exc)

    replicas = [threading.Thread(target=start) for _ in range(3)]
    for replica in replicas:
        replica.start()
    for replica in replicas:
        replica.join()

    assert failures == []
    assert differences(database_url, spec.tables.metadata) == []


def with_a_note_on_the_outbox(spec: ServiceSpec) -> ServiceSpec:
    """`spec` with its models changed as a later revision would: the outbox gains a column."""
    metadata = new_metadata()
    for table in spec.tables.metadata.tables.values():
        table.to_metadata(metadata)
    metadata.tables["outbox"].append_column(sa.Column("note", sa.Text(), nullable=True))
    tables = PlatformTables(
        *(metadata.tables[field.name] for field in dataclasses.fields(PlatformTables))
    )
    return dataclasses.replace(spec, tables=tables)


def test_a_revision_written_later_upgrades_the_baseline_and_downgrades_to_it(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    versions = tmp_path / "migrations"
    baseline = spec_of("pension")
    changed = with_a_note_on_the_outbox(baseline)
    monkeypatch.setenv("LUOHU_DATABASE_URL", database_url)
    monkeypatch.setattr(migrations, "versions_dir", lambda service: versions)
    baseline.migrate(database_url)  # a database made from the models of today

    monkeypatch.setattr(importlib.import_module("services.pension.app"), "SPEC", changed)
    written = CliRunner().invoke(cli, ["migrate", "--new", "a note on the outbox", "pension"])
    assert written.exit_code == 0, written.output
    (revision,) = versions.glob("*.py")
    source = revision.read_text()
    assert "down_revision: Union[str, Sequence[str], None] = None" in source
    assert "add_column" in source and "'note'" in source
    (head,) = re.findall(r"^revision: str = '(\w+)'", source, re.MULTILINE)
    assert version_rows(database_url) == []  # writing it migrates nothing

    changed.migrate(database_url)
    assert differences(database_url, changed.tables.metadata) == []
    assert version_rows(database_url) == [head]

    with migrations.locked_config(versions, changed.tables.metadata, database_url) as config:
        command.downgrade(config, "base")
    assert differences(database_url, baseline.tables.metadata) == []
    assert version_rows(database_url) == []

    changed.migrate(database_url)
    assert differences(database_url, changed.tables.metadata) == []
    assert version_rows(database_url) == [head]


def test_a_fresh_database_is_stamped_at_the_head_revision(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    versions = tmp_path / "migrations"
    versions.mkdir()
    (versions / "0001_note.py").write_text(
        '"""a note on the outbox"""\n'
        "import sqlalchemy as sa\nfrom alembic import op\n\n"
        'revision = "0001"\ndown_revision = None\n\n\n'
        "def upgrade() -> None:\n"
        '    op.add_column("outbox", sa.Column("note", sa.Text(), nullable=True))\n'
    )
    monkeypatch.setattr(migrations, "versions_dir", lambda service: versions)
    changed = with_a_note_on_the_outbox(spec_of("hukou"))

    changed.migrate(database_url)

    assert differences(database_url, changed.tables.metadata) == []
    assert version_rows(database_url) == ["0001"]


def test_a_revision_from_before_the_squash_is_a_clear_error(database_url: str) -> None:
    spec = spec_of("hukou")
    stamp_before_the_squash(spec, database_url)

    with pytest.raises(migrations.UnknownRevision) as raised:
        spec.migrate(database_url)
    message = str(raised.value)
    assert message.startswith("hukou: the database")
    assert "revision 0002" in message and "delete it" in message
    with pytest.raises(migrations.UnknownRevision):
        migrations.check_revision("hukou", database_url)


def test_models_changed_without_a_revision_stop_the_start_naming_the_difference(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrations, "versions_dir", lambda service: tmp_path / "migrations")
    baseline = spec_of("housing")
    baseline.migrate(database_url)  # built from today's models
    changed = with_a_note_on_the_outbox(baseline)  # ... which then change, with no revision

    with pytest.raises(migrations.SchemaDrift) as raised:
        changed.migrate(database_url)
    message = str(raised.value)
    assert message.startswith("housing: the database")
    assert "add_column outbox note" in message and "luohu migrate --new" in message
    with pytest.raises(migrations.SchemaDrift):
        migrations.check_revision("housing", database_url, changed.tables.metadata)
    monkeypatch.setenv("LUOHU_DATABASE_URL", database_url)
    monkeypatch.setattr(importlib.import_module("services.housing.app"), "SPEC", changed)
    refused = CliRunner().invoke(cli, ["migrate", "housing"])
    assert refused.exit_code == 1 and "add_column outbox note" in refused.output
    monkeypatch.setattr(importlib.import_module("services.housing.app"), "SPEC", baseline)
    # The models it was built from still start, and so does a database not built yet.
    baseline.migrate(database_url)
    migrations.check_revision("housing", database_url, baseline.tables.metadata)
    migrations.check_revision(
        "housing", f"sqlite:///{tmp_path / 'none.db'}", changed.tables.metadata
    )
