"""`luohu audit verify SERVICE` against the heads the service published to the coordination
office (四(四)): a history rewritten whole, every hash recomputed, is intact by itself and
found by the first published head it no longer holds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from services.coordination.app import SPEC as OFFICE
from services.coordination.audit_heads import record_head
from services.hukou.app import SPEC
from shared.audit import GENESIS, HEAD_ROW, entry_hash, entry_of, record_audit
from shared.cli import app as cli
from shared.db import Database
from shared.events.envelope import new_event
from shared.registry import audit_head_type
from shared.settings import Settings

LOG = SPEC.tables.audit_log
HEAD = SPEC.tables.audit_head


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LUOHU_ENVIRONMENT", "test")
    monkeypatch.setenv("LUOHU_DATA_DIR", str(tmp_path / "var"))
    return tmp_path / "var"


@pytest.fixture
def hukou(data_dir: Path) -> Iterator[Database]:
    """Hukou's database with five entries."""
    url = Settings().database_url_for("hukou")
    SPEC.migrate(url)
    db = Database(url)
    for n in range(1, 6):
        with db.unit_of_work() as session:
            record_audit(
                session,
                SPEC.tables,
                actor="dept:public_security",
                action="thing.done",
                entity_type="thing",
                entity_id=f"e{n}",
                detail={"n": n},
            )
    yield db
    db.dispose()


@pytest.fixture
def office(data_dir: Path, hukou: Database) -> Iterator[Database]:
    """The office's database, holding hukou's heads at 2, 4 and 5 as hukou published them."""
    url = Settings().database_url_for("coordination")
    OFFICE.migrate(url)
    db = Database(url)
    for sequence in (2, 4, 5):
        with hukou.read_only() as session:
            row = session.execute(select(LOG).where(LOG.c.sequence == sequence)).mappings().one()
        with db.unit_of_work() as session:
            record_head(session, head_event(row["sequence"], row["hash"], row["at"]), "hukou")
    yield db
    db.dispose()


def head_event(sequence: int, hash_: str, at: datetime) -> Any:
    return new_event(
        type_=audit_head_type("hukou"),
        source="/luohu/hukou",
        subject="hukou",
        data={"service": "hukou", "sequence": sequence, "hash": hash_, "at": at.isoformat()},
        time=published_at(sequence),
    )


def published_at(sequence: int) -> datetime:
    return datetime(2026, 12, 2, 9, sequence, tzinfo=UTC)


def verify(*options: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["audit", "verify", "hukou", *options])
    return result.exit_code, result.output


def rewrite_from(db: Database, sequence: int, **changed: Any) -> None:
    """Change entry `sequence` and recompute every hash from it on, and the head: the chain
    is intact by itself."""
    with db.unit_of_work() as session:
        rows = session.execute(select(LOG).order_by(LOG.c.sequence)).mappings().all()
        previous = GENESIS
        for row in rows:
            entry = entry_of(row)
            if entry["sequence"] == sequence:
                entry.update(changed)
            if entry["sequence"] >= sequence:
                entry["previous_hash"] = previous
                entry["hash"] = entry_hash(entry)
                values = {k: v for k, v in entry.items() if k not in ("id", "sequence")}
                session.execute(update(LOG).where(LOG.c.id == entry["id"]).values(**values))
            previous = entry["hash"]
        session.execute(update(HEAD).where(HEAD.c.id == HEAD_ROW).values(hash=previous))


class TestAgainstTheOffice:
    def test_an_intact_chain_holds_every_published_head(self, office: Database) -> None:
        code, output = verify()
        assert code == 0, output
        intact, compared = output.splitlines()
        assert intact.startswith("hukou: audit chain intact: 5 entries, head 5 ")
        assert compared.startswith("hukou: compared with the 3 heads it published to the coord")

    def test_a_history_rewritten_with_its_hashes_is_found_by_the_published_head(
        self, hukou: Database, office: Database
    ) -> None:
        rewrite_from(hukou, 3, actor="dept:someone_else")
        # By itself the chain is intact: that is what the published heads are for.
        code, output = verify("--no-against-office")
        assert code == 0 and "not compared with the coordination office" in output
        assert verify() == (
            1,
            "hukou: entry 4 changed: its hash is not the one published to the coordination "
            "office at 2026-12-02T09:04:00+00:00\n",
        )

    def test_a_rewrite_after_the_last_published_head_is_not_seen(
        self, hukou: Database, office: Database
    ) -> None:
        """What the heads prove and what they do not: entry 6 came after the last one."""
        with hukou.unit_of_work() as session:
            record_audit(
                session, SPEC.tables, actor="x", action="y", entity_type="z", entity_id="e6"
            )
        rewrite_from(hukou, 6, actor="dept:someone_else")
        assert verify()[0] == 0

    def test_a_history_cut_short_is_found_by_the_published_head(
        self, hukou: Database, office: Database
    ) -> None:
        with hukou.unit_of_work() as session:
            session.execute(delete(LOG).where(LOG.c.sequence >= 4))
            third = session.execute(select(LOG).where(LOG.c.sequence == 3)).mappings().one()
            session.execute(
                update(HEAD).where(HEAD.c.id == HEAD_ROW).values(sequence=3, hash=third["hash"])
            )
        assert verify() == (
            1,
            "hukou: entry 4 removed: the office holds its head, published to the coordination "
            "office at 2026-12-02T09:04:00+00:00\n",
        )

    def test_a_changed_row_is_still_named_first(self, hukou: Database, office: Database) -> None:
        with hukou.unit_of_work() as session:
            session.execute(update(LOG).where(LOG.c.sequence == 3).values(actor="someone"))
        assert verify() == (1, "hukou: entry 3 changed: its content does not give its hash\n")

    def test_without_the_offices_database_it_says_it_did_not_compare(self, hukou: Database) -> None:
        code, output = verify()
        assert code == 0
        assert output.splitlines()[1].startswith(
            "hukou: not compared with the coordination office: coordination: no database at "
        )

    def test_against_the_office_required_and_out_of_reach_exits_1(self, hukou: Database) -> None:
        code, output = verify("--against-office")
        assert code == 1
        assert output.startswith("hukou: cannot compare with the coordination office: ")

    def test_the_offices_database_may_be_named(
        self, hukou: Database, office: Database, tmp_path: Path
    ) -> None:
        url = Settings().database_url_for("coordination")
        moved = tmp_path / "elsewhere.db"
        office.dispose()  # its last connection closed, the file holds every head
        Path(url.removeprefix("sqlite:///")).rename(moved)
        rewrite_from(hukou, 1, actor="dept:someone_else")
        assert verify()[0] == 0  # no office where it is looked for by default
        code, output = verify("--office-database", f"sqlite:///{moved}")
        assert code == 1 and output.startswith("hukou: entry 2 changed: its hash is not")
