"""`luohu migrate`, `luohu run` and a service's start on a database this version cannot
migrate: one stamped at a revision from before the squash, or none to write a revision from."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from services.hukou.app import SPEC, build
from shared import migrations
from shared.cli import app as cli
from shared.settings import Settings
from tests.migration_support import stamp_before_the_squash
from tests.support import quick_settings


@pytest.fixture
def platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The environment `luohu` reads: the embedded engines under a temporary folder."""
    monkeypatch.setenv("LUOHU_ENVIRONMENT", "test")
    monkeypatch.setenv("LUOHU_DATA_DIR", str(tmp_path / "var"))
    return quick_settings(tmp_path / "var", workers=False)


@pytest.fixture
def stale(platform: Settings) -> Settings:
    """Hukou's database as the previous version left it: stamped at its revision 0002."""
    stamp_before_the_squash(SPEC, platform.database_url_for("hukou"))
    return platform


def invoke(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(arguments))
    return result.exit_code, result.output


def test_migrate_names_the_service_the_revision_and_what_to_do(stale: Settings) -> None:
    code, output = invoke("migrate", "hukou")

    assert code == 1
    assert output.startswith("hukou: the database sqlite:///")
    assert "at revision 0002" in output and "delete it" in output
    assert "Traceback" not in output


def test_run_stops_before_starting_anything(stale: Settings) -> None:
    code, output = invoke("run", "--only", "hukou")

    assert code == 1
    assert "the platform cannot start: hukou: the database" in output
    assert not (stale.data_dir / "run" / "hukou.pid").exists()


def test_the_service_does_not_start_on_it(stale: Settings) -> None:
    app = build(stale)
    with pytest.raises(migrations.UnknownRevision, match="at revision 0002"), TestClient(app):
        pass


def test_a_new_revision_needs_a_database_to_compare_the_models_with(platform: Settings) -> None:
    code, output = invoke("migrate", "--new", "a change", "hukou")

    assert code == 1
    assert output.startswith("hukou: no tables at sqlite:///")
    assert "luohu migrate hukou" in output
    assert not SPEC.migrations_dir.exists()


def test_a_new_revision_is_for_one_service(platform: Settings) -> None:
    code, output = invoke("migrate", "--new", "a change", "hukou", "housing")

    assert code == 2
    assert "name the one service" in output
