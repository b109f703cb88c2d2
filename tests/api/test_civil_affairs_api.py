"""The civil affairs service's HTTP surface: who may call which route, and what it documents.

The decisions and their follow-through are in test_civil_affairs_follow_through; the event log
in test_civil_affairs_events.
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient

from services.civil_affairs.models import Base
from tests.api.civil_affairs_support import (
    INCOME,
    CivilAffairsApiTests,
    household,
    statuses,
)
from tests.conftest import TokenFactory
from tests.support import Headers, error_of, get_settlement, ok, settlement_record, supply

ROUTES = [
    ("GET", "/v1/settlements/s"),
    ("POST", "/v1/settlements/s/information"),
]


class TestAuthorisation(CivilAffairsApiTests):
    @pytest.mark.parametrize("dept", ["public_security", "audit"])
    def test_public_security_and_audit_read_but_supply_nothing(
        self, civil_affairs: TestClient, auth: TokenFactory, dept: str
    ) -> None:
        reader = auth(dept)
        settlement_id = household(civil_affairs, None)

        assert ok(get_settlement(civil_affairs, reader, settlement_id))["status"] == (
            "action_needed"
        )
        error = error_of(
            supply(civil_affairs, reader, settlement_id, {INCOME: 1500}), 403, "forbidden"
        )
        assert "minimum_living:write" in error["message"]
        assert statuses(civil_affairs, settlement_id) == ["action_needed"]

    @pytest.mark.parametrize("dept", ["housing", "human_resources", "education", "finance"])
    def test_other_departments_may_do_nothing(
        self, civil_affairs: TestClient, clerk: Headers, auth: TokenFactory, dept: str
    ) -> None:
        settlement_id = household(civil_affairs, None)
        outsider = auth(dept)

        error_of(get_settlement(civil_affairs, outsider, settlement_id), 403, "forbidden")
        error_of(supply(civil_affairs, outsider, settlement_id, {INCOME: 1500}), 403, "forbidden")
        for method, path in ROUTES:
            error_of(
                civil_affairs.request(method, path, headers=outsider, json={}), 403, "forbidden"
            )
        assert settlement_record(civil_affairs, clerk, settlement_id)["version"] == 1
        assert statuses(civil_affairs, settlement_id) == ["action_needed"]

    def test_a_read_only_civil_affairs_token_may_read_but_not_supply(
        self, civil_affairs: TestClient, auth: TokenFactory
    ) -> None:
        reader = auth("civil_affairs", "minimum_living:read")
        settlement_id = household(civil_affairs, None)

        ok(get_settlement(civil_affairs, reader, settlement_id))
        error_of(supply(civil_affairs, reader, settlement_id, {INCOME: 1500}), 403, "forbidden")

    def test_the_civil_affairs_clerk_supplies(
        self, civil_affairs: TestClient, clerk: Headers
    ) -> None:
        settlement_id = household(civil_affairs, None)

        assert ok(supply(civil_affairs, clerk, settlement_id, {INCOME: 1500}))["status"] == "done"

    def test_before_civil_affairs_has_acted_the_settlement_is_404(
        self, civil_affairs: TestClient, clerk: Headers
    ) -> None:
        error = error_of(get_settlement(civil_affairs, clerk, "not-yet-settled"), 404, "not_found")

        assert "not-yet-settled" in error["message"]


class TestOperations(CivilAffairsApiTests):
    def test_the_settlement_answer_is_documented_with_status_and_open_items_first(
        self, civil_affairs: TestClient
    ) -> None:
        schemas = civil_affairs.get("/openapi.json").json()["components"]["schemas"]

        fields = list(schemas["SettlementOut"]["properties"])

        assert fields[:4] == ["settlement_id", "status", "open_items", "version"]
        assert "assessment" in fields

    def test_the_migration_matches_the_tables(self, civil_affairs: TestClient) -> None:
        engine = civil_affairs.app.state.runtime.db.engine  # type: ignore[attr-defined]
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)

        assert differences == []
