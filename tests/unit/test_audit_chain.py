"""The audit chain (四(四) "将非户籍人口在城市落户情况和相关配套政策实施情况纳入审计监督范围"):
entries numbered without a gap, each hashing its content and the one before, and the first
entry changed, removed or inserted found by the verifier, named by its sequence."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update

from shared.audit import GENESIS, entry_hash, record_audit
from shared.audit_chain import Break, verify_chain
from shared.db import Database, new_metadata, platform_tables

TABLES = platform_tables(new_metadata())
LOG = TABLES.audit_log
FORGED_AT = datetime(2026, 12, 2, 13, 0, tzinfo=UTC)


def built(url: str) -> Database:
    """A database at `url` holding the platform tables."""
    database = Database(url)
    TABLES.metadata.create_all(database.engine)
    return database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = built(f"sqlite:///{tmp_path / 'audit.db'}")
    yield database
    database.dispose()


def append(db: Database, entity_id: str, **detail: Any) -> None:
    with db.unit_of_work() as session:
        record_audit(
            session,
            TABLES,
            actor="public_security",
            action="thing.done",
            entity_type="thing",
            entity_id=entity_id,
            detail=detail,
        )


@pytest.fixture
def five(db: Database) -> Database:
    """A chain of five entries, for `e1` to `e5`."""
    for n in range(1, 6):
        append(db, f"e{n}", n=n)
    return db


def entries(db: Database) -> list[dict[str, Any]]:
    with db.read_only() as session:
        rows = session.execute(select(LOG).order_by(LOG.c.sequence)).mappings()
        return [dict(row) for row in rows]


def first_break(db: Database) -> Break | None:
    with db.read_only() as session:
        return verify_chain(session, TABLES).first_break


def alter(db: Database, sequence: int, **values: Any) -> None:
    with db.unit_of_work() as session:
        session.execute(update(LOG).where(LOG.c.sequence == sequence).values(**values))


def remove(db: Database, sequence: int) -> None:
    with db.unit_of_work() as session:
        session.execute(delete(LOG).where(LOG.c.sequence == sequence))


def well_formed(sequence: int, previous_hash: str, entity_id: str) -> dict[str, Any]:
    """An entry as a forger who knows the hashing would write it."""
    entry: dict[str, Any] = {
        "sequence": sequence,
        "at": FORGED_AT,
        "actor": "public_security",
        "action": "thing.done",
        "entity_type": "thing",
        "entity_id": entity_id,
        "detail": {},
        "note": None,
        "previous_hash": previous_hash,
    }
    return {**entry, "hash": entry_hash(entry)}


def insert_before(db: Database, sequence: int, *, forged_hash: bool) -> None:
    """Put an entry in at `sequence`, renumbering it and those after one up (the sequence is
    unique: there is no room between two entries otherwise)."""
    before = [e for e in entries(db) if e["sequence"] == sequence - 1]
    previous = before[0]["hash"] if before else GENESIS
    with db.unit_of_work() as session:
        for entry in reversed(entries(db)):
            if entry["sequence"] >= sequence:
                session.execute(
                    update(LOG)
                    .where(LOG.c.id == entry["id"])
                    .values(sequence=entry["sequence"] + 1)
                )
        forged = well_formed(sequence, previous, "forged")
        if not forged_hash:
            forged["hash"] = "f" * 64
        session.execute(insert(LOG).values(**forged))


class TestAppending:
    def test_entries_are_numbered_from_one_without_a_gap(self, five: Database) -> None:
        assert [e["sequence"] for e in entries(five)] == [1, 2, 3, 4, 5]

    def test_each_links_to_the_one_before_and_the_first_to_the_genesis_hash(
        self, five: Database
    ) -> None:
        chain = entries(five)
        assert chain[0]["previous_hash"] == "0" * 64
        assert [e["previous_hash"] for e in chain[1:]] == [e["hash"] for e in chain[:-1]]

    def test_the_hash_is_sha256_of_the_documented_canonical_json(self, five: Database) -> None:
        third = entries(five)[2]
        content = {
            "sequence": 3,
            "at": third["at"].astimezone(UTC).isoformat(timespec="microseconds"),
            "actor": "public_security",
            "action": "thing.done",
            "entity_type": "thing",
            "entity_id": "e3",
            "detail": {"n": 3},
            "note": None,
            "previous_hash": entries(five)[1]["hash"],
        }
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert third["hash"] == hashlib.sha256(text.encode()).hexdigest()

    def test_the_head_is_the_last_entry(self, five: Database) -> None:
        with five.read_only() as session:
            verdict = verify_chain(session, TABLES)
        assert (verdict.head.sequence, verdict.head.hash) == (5, entries(five)[-1]["hash"])
        assert verdict.intact and verdict.entries == 5

    def test_an_empty_log_is_intact_at_sequence_zero(self, db: Database) -> None:
        with db.read_only() as session:
            verdict = verify_chain(session, TABLES)
        assert verdict.intact and (verdict.head.sequence, verdict.head.hash) == (0, GENESIS)

    def test_a_change_rolled_back_leaves_no_gap(self, db: Database) -> None:
        append(db, "e1")
        with pytest.raises(RuntimeError), db.unit_of_work() as session:
            record_audit(session, TABLES, actor="a", action="b", entity_type="c", entity_id="d")
            raise RuntimeError("the change fails after its entry")
        append(db, "e2")
        assert [(e["sequence"], e["entity_id"]) for e in entries(db)] == [(1, "e1"), (2, "e2")]
        assert first_break(db) is None

    def test_a_detail_is_hashed_as_it_is_read_back(self, db: Database) -> None:
        append(db, "e1", members=(1, 2), text="武江区")
        assert entries(db)[0]["detail"] == {"members": [1, 2], "text": "武江区"}
        assert first_break(db) is None

    def test_writers_appending_at_once_do_not_fork_the_chain(self, tmp_path: Path) -> None:
        url = f"sqlite:///{tmp_path / 'audit.db'}"
        built(url).dispose()
        writers = [Database(url) for _ in range(4)]  # one engine each, as processes have
        barrier = threading.Barrier(len(writers))

        def write(db: Database, number: int) -> None:
            barrier.wait()
            for n in range(10):
                append(db, f"w{number}-{n}")

        threads = [threading.Thread(target=write, args=(db, i)) for i, db in enumerate(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert [e["sequence"] for e in entries(writers[0])] == list(range(1, 41))
        assert first_break(writers[0]) is None
        for db in writers:
            db.dispose()


class TestVerifying:
    def test_an_intact_chain_has_no_break(self, five: Database) -> None:
        assert first_break(five) is None

    def test_a_changed_detail_is_found(self, five: Database) -> None:
        alter(five, 3, detail={"n": 30})
        assert first_break(five) == Break(3, "changed", "its content does not give its hash")

    def test_a_changed_entry_with_its_hash_recomputed_is_found(self, five: Database) -> None:
        third = {**entries(five)[2], "actor": "someone else"}
        alter(five, 3, actor="someone else", hash=entry_hash(third))
        found = first_break(five)
        assert found is not None and (found.sequence, found.kind) == (3, "changed")

    def test_a_changed_first_entry_is_found(self, five: Database) -> None:
        alter(five, 1, entity_id="e9")
        assert first_break(five) == Break(1, "changed", "its content does not give its hash")

    def test_a_changed_last_entry_rehashed_is_found_by_the_head(self, five: Database) -> None:
        last = {**entries(five)[4], "detail": {"n": 50}}
        alter(five, 5, detail={"n": 50}, hash=entry_hash(last))
        assert first_break(five) == Break(5, "changed", "its hash is not the chain head's")

    def test_a_removed_entry_is_found(self, five: Database) -> None:
        remove(five, 3)
        assert first_break(five) == Break(3, "removed", "the next entry found is 4")

    def test_a_removed_first_entry_is_found(self, five: Database) -> None:
        remove(five, 1)
        assert first_break(five) == Break(1, "removed", "the next entry found is 2")

    def test_a_removed_last_entry_is_found_by_the_head(self, five: Database) -> None:
        remove(five, 5)
        assert first_break(five) == Break(5, "removed", "the chain head is at 5")

    def test_an_inserted_entry_with_a_wrong_hash_is_found(self, five: Database) -> None:
        insert_before(five, 3, forged_hash=False)
        assert first_break(five) == Break(3, "inserted", "entry 4 links past it")

    def test_an_inserted_entry_hashed_as_the_chain_hashes_is_found(self, five: Database) -> None:
        insert_before(five, 3, forged_hash=True)
        assert first_break(five) == Break(3, "inserted", "entry 4 links past it")

    def test_an_entry_inserted_first_is_found(self, five: Database) -> None:
        insert_before(five, 1, forged_hash=True)
        assert first_break(five) == Break(1, "inserted", "entry 2 links past it")

    def test_an_entry_added_after_the_head_is_found(self, five: Database) -> None:
        with five.unit_of_work() as session:
            session.execute(insert(LOG).values(**well_formed(6, entries(five)[4]["hash"], "x")))
        assert first_break(five) == Break(6, "inserted", "after the chain head at 5")

    def test_only_the_first_break_is_named(self, five: Database) -> None:
        alter(five, 2, detail={"n": 20})
        remove(five, 4)
        assert first_break(five) == Break(2, "changed", "its content does not give its hash")
