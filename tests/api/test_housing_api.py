"""The housing service's HTTP surface: who may call which route, and what it documents.

The use cases have their own files: test_housing_events (settlement.approved), _assessment,
_applications, _outcomes and _waiting_list.
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient

from services.housing.models import Base
from tests.api.housing_support import (
    HousingApiTests,
    application,
    applied,
    apply,
    decide,
    owner,
    renter,
    waiting,
)
from tests.conftest import TokenFactory
from tests.support import WUJIANG, Headers, error_of, get_settlement, ok

ROUTES = [
    ("GET", "/v1/settlements/s"),
    ("POST", "/v1/settlements/s/housing-applications"),
    ("GET", "/v1/housing-applications/a"),
    ("POST", "/v1/housing-applications/a/outcome"),
    ("GET", f"/v1/waiting-lists/{WUJIANG}"),
    ("POST", "/v1/settlements/s/information"),
]


class TestAuthorisation(HousingApiTests):
    @pytest.mark.parametrize("dept", ["public_security", "audit"])
    def test_public_security_and_audit_read_everything_but_change_nothing(
        self, fresh: TestClient, clerk: Headers, auth: TokenFactory, dept: str
    ) -> None:
        reader = auth(dept)
        settlement_id = owner(fresh)
        created = applied(fresh, clerk, settlement_id, "public_rental_housing")

        assert ok(get_settlement(fresh, reader, settlement_id))["settlement_id"] == settlement_id
        ok(application(fresh, reader, created["id"]))
        assert waiting(fresh, reader)["total"] == 1
        error_of(apply(fresh, reader, settlement_id), 403, "forbidden")
        error = error_of(
            decide(fresh, reader, created["id"], {"outcome": "granted"}), 403, "forbidden"
        )
        assert "housing:write" in error["message"]
        assert waiting(fresh, clerk)["total"] == 1

    @pytest.mark.parametrize("dept", ["human_resources", "education", "civil_affairs", "finance"])
    def test_other_departments_may_do_nothing(
        self, housing: TestClient, auth: TokenFactory, dept: str
    ) -> None:
        for method, path in ROUTES:
            error_of(housing.request(method, path, headers=auth(dept), json={}), 403, "forbidden")

    def test_a_read_only_housing_token_may_read_but_not_apply(
        self, housing: TestClient, auth: TokenFactory
    ) -> None:
        reader = auth("housing", "housing:read")
        settlement_id = renter(housing)

        ok(get_settlement(housing, reader, settlement_id))
        error_of(apply(housing, reader, settlement_id), 403, "forbidden")


# --- operations ---------------------------------------------------------------------------------


class TestOperations(HousingApiTests):
    def test_the_migration_matches_the_tables(self, housing: TestClient) -> None:
        engine = housing.app.state.runtime.db.engine  # type: ignore[attr-defined]
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)

        assert differences == []
