"""Every service's audit log for the audit department (四(四) "将非户籍人口在城市落户情况和相关
配套政策实施情况纳入审计监督范围", 市审计局牵头): `GET /v1/audit` and its chain head, read with
`audit:read`, and `luohu audit verify SERVICE` naming the first entry changed, removed or
inserted."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, insert, update
from typer.testing import CliRunner

from services.hukou.app import SPEC, build
from shared.audit import GENESIS, entry_hash, record_audit
from shared.cli import app as cli
from shared.db import Database
from shared.settings import Settings
from tests.conftest import TokenFactory
from tests.support import WUJIANG, Headers, invalid, ok, person_id, reason_for

LOG = SPEC.tables.audit_log
CHAINED = ("sequence", "at", "actor", "action", "entity_type", "entity_id", "detail", "note")


def record(db: Database, entity_id: str, *, entity_type: str = "thing", **detail: Any) -> None:
    with db.unit_of_work() as session:
        record_audit(
            session,
            SPEC.tables,
            actor="public_security",
            action="thing.done",
            entity_type=entity_type,
            entity_id=entity_id,
            detail=detail,
        )


@pytest.fixture
def hukou(settings: Settings) -> Iterator[TestClient]:
    with TestClient(build(settings.model_copy(update={"start_workers": False}))) as client:
        yield client


@pytest.fixture
def auditor(auth: TokenFactory) -> Headers:
    return auth("audit")


@pytest.fixture
def four(hukou: TestClient) -> TestClient:
    """Hukou with four entries: `a`, `b` and `c` of type `thing`, then `a` of type `other`."""
    db = hukou.app.state.runtime.db  # type: ignore[attr-defined]
    for entity_id in ("a", "b", "c"):
        record(db, entity_id)
    record(db, "a", entity_type="other")
    return hukou


def audit(client: TestClient, headers: Headers, **params: Any) -> dict[str, Any]:
    return ok(client.get("/v1/audit", headers=headers, params=params))


def sequences(page: dict[str, Any]) -> list[int]:
    return [item["sequence"] for item in page["items"]]


class TestReading:
    def test_a_change_is_served_with_a_hash_the_department_can_recompute(
        self, hukou: TestClient, auth: TokenFactory, auditor: Headers
    ) -> None:
        put = hukou.put(
            f"/v1/settlement-targets/2026/{WUJIANG}",
            headers=auth("public_security"),
            json={"target_persons": 1200, "note": "work plan"},
        )
        assert put.status_code == 200, put.text

        (entry,) = audit(hukou, auditor)["items"]
        assert (entry["action"], entry["entity_id"]) == ("target.set", f"2026:{WUJIANG}")
        assert (entry["sequence"], entry["previous_hash"]) == (1, GENESIS)
        content = {name: entry[name] for name in (*CHAINED, "previous_hash")}
        content["at"] = datetime.fromisoformat(entry["at"]).isoformat(timespec="microseconds")
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert entry["hash"] == hashlib.sha256(text.encode()).hexdigest()

    def test_the_head_is_the_last_entry(self, four: TestClient, auditor: Headers) -> None:
        last = audit(four, auditor)["items"][-1]
        head = ok(four.get("/v1/audit/head", headers=auditor))
        assert (head["sequence"], head["hash"], head["at"]) == (4, last["hash"], last["at"])

    def test_the_head_of_an_empty_log_is_sequence_zero(
        self, hukou: TestClient, auditor: Headers
    ) -> None:
        head = ok(hukou.get("/v1/audit/head", headers=auditor))
        assert head == {"sequence": 0, "hash": GENESIS, "at": None}

    def test_only_the_audit_department_reads_it(self, four: TestClient, auth: TokenFactory) -> None:
        for path in ("/v1/audit", "/v1/audit/head"):
            assert four.get(path).status_code == 401
            assert four.get(path, headers=auth("public_security")).status_code == 403

    def test_it_is_oldest_first_and_paged(self, four: TestClient, auditor: Headers) -> None:
        page = audit(four, auditor, page=2, page_size=3)
        assert (sequences(page), page["total"]) == ([4], 4)
        assert sequences(audit(four, auditor)) == [1, 2, 3, 4]

    def test_the_filters_by_entity(self, four: TestClient, auditor: Headers) -> None:
        assert sequences(audit(four, auditor, entity_id="a")) == [1, 4]
        assert sequences(audit(four, auditor, entity_id="a", entity_type="thing")) == [1]
        assert audit(four, auditor, entity_id="z") == {
            "items": [],
            "total": 0,
            "page": 1,
            "page_size": 50,
        }

    def test_since_is_inclusive_and_until_exclusive(
        self, four: TestClient, auditor: Headers
    ) -> None:
        at = [item["at"] for item in audit(four, auditor)["items"]]
        assert sequences(audit(four, auditor, since=at[1])) == [2, 3, 4]
        assert sequences(audit(four, auditor, until=at[1])) == [1]
        assert sequences(audit(four, auditor, since=at[1], until=at[3])) == [2, 3]

    def test_a_time_without_its_zone_is_422(self, four: TestClient, auditor: Headers) -> None:
        response = four.get("/v1/audit", headers=auditor, params={"since": "2026-12-02T10:00:00"})
        assert "timezone" in reason_for(invalid(response), "since")

    def test_an_empty_period_is_422_naming_until(self, four: TestClient, auditor: Headers) -> None:
        instant = "2026-12-02T10:00:00+08:00"
        response = four.get(
            "/v1/audit", headers=auditor, params={"since": instant, "until": instant}
        )
        assert reason_for(invalid(response), "until") == "must be after since"

    def test_an_identity_number_is_served_masked(self, hukou: TestClient, auditor: Headers) -> None:
        number = person_id(date(1988, 5, 1))
        record(hukou.app.state.runtime.db, "p", note=f"身份证号{number}")  # type: ignore[attr-defined]
        (entry,) = audit(hukou, auditor)["items"]
        assert entry["detail"]["note"] == f"身份证号{number[:4]}{'*' * 10}{number[-4:]}"

    def test_an_identity_number_in_the_query_is_422(
        self, four: TestClient, auditor: Headers
    ) -> None:
        response = four.get(
            "/v1/audit", headers=auditor, params={"entity_id": person_id(date(1988, 5, 1))}
        )
        assert invalid(response)


# --- luohu audit verify --------------------------------------------------------------------------


@pytest.fixture
def hukou_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Where `luohu` finds hukou's database: under a temporary LUOHU_DATA_DIR."""
    monkeypatch.setenv("LUOHU_ENVIRONMENT", "test")
    monkeypatch.setenv("LUOHU_DATA_DIR", str(tmp_path / "var"))
    return Settings().database_url_for("hukou")


@pytest.fixture
def logged(hukou_url: str) -> Iterator[Database]:
    """Hukou's database, built as `luohu migrate` builds it, with five entries."""
    SPEC.migrate(hukou_url)
    db = Database(hukou_url)
    for n in range(1, 6):
        record(db, f"e{n}", n=n)
    yield db
    db.dispose()


def verify(service: str = "hukou") -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["audit", "verify", service])
    return result.exit_code, result.output


def execute(db: Database, statement: Any) -> None:
    with db.unit_of_work() as session:
        session.execute(statement)


class TestVerifying:
    def test_an_intact_chain_exits_0(self, logged: Database) -> None:
        code, output = verify()
        assert code == 0
        assert output.startswith("hukou: audit chain intact: 5 entries, head 5 ")

    def test_a_changed_entry_is_named(self, logged: Database) -> None:
        execute(logged, update(LOG).where(LOG.c.sequence == 3).values(actor="someone else"))
        assert verify() == (1, "hukou: entry 3 changed: its content does not give its hash\n")

    def test_a_removed_entry_is_named(self, logged: Database) -> None:
        execute(logged, delete(LOG).where(LOG.c.sequence == 2))
        assert verify() == (1, "hukou: entry 2 removed: the next entry found is 3\n")

    def test_an_inserted_entry_is_named(self, logged: Database) -> None:
        with logged.read_only() as session:
            last = session.execute(LOG.select().where(LOG.c.sequence == 5)).mappings().one()
        forged = {name: last[name] for name in CHAINED}
        forged.update(sequence=6, entity_id="forged", previous_hash=last["hash"])
        execute(logged, insert(LOG).values(**forged, hash=entry_hash(forged)))
        assert verify() == (1, "hukou: entry 6 inserted: after the chain head at 5\n")

    def test_a_service_without_a_database_exits_1(self, hukou_url: str) -> None:
        code, output = verify()
        assert code == 1 and output.startswith("hukou: no database at sqlite:///")
        assert not Path(hukou_url.removeprefix("sqlite:///")).exists()  # nor is one made

    def test_a_database_out_of_reach_exits_1_without_its_password(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("LUOHU_DATABASE_URL", "postgresql+psycopg://luohu:s3cret@127.0.0.1:9/x")
        code, output = verify()
        assert code == 1
        assert output.startswith(
            "hukou: cannot read the database at postgresql+psycopg://luohu:***@"
        )
        assert "s3cret" not in output and "Traceback" not in output

    def test_an_unknown_service_is_refused(self, hukou_url: str) -> None:
        code, output = verify("nowhere")
        assert code == 2 and "unknown service 'nowhere'" in output
