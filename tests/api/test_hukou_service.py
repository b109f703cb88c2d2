"""The hukou service as operators and clients meet it: probes, metrics, OpenAPI, errors."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.hukou_support import (
    APPLICATIONS,
    HukouApiTests,
)
from tests.support import Headers


class TestOperations(HukouApiTests):
    def test_healthz_answers_without_a_token(self, hukou: TestClient) -> None:
        response = hukou.get("/healthz")

        assert response.status_code == 200
        assert response.json() == {"status": "ok", "service": "hukou"}

    def test_readyz_reports_database_and_bus_reachable(self, hukou: TestClient) -> None:
        response = hukou.get("/readyz")

        assert response.status_code == 200
        assert response.json() == {"ready": True, "checks": {"database": "ok", "bus": "ok"}}

    def test_readyz_is_503_when_the_bus_is_away(
        self, hukou: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def unreachable() -> None:
            raise OSError("the event log is gone")

        monkeypatch.setattr(hukou.app.state.runtime.bus, "ping", unreachable)  # type: ignore[attr-defined]

        response = hukou.get("/readyz")

        assert response.status_code == 503
        assert response.json()["ready"] is False
        assert response.json()["checks"]["database"] == "ok"
        assert response.json()["checks"]["bus"].startswith("unavailable")

    def test_metrics_count_http_requests_by_route_template(
        self, hukou: TestClient, officer: Headers
    ) -> None:
        hukou.get(f"{APPLICATIONS}/some-id", headers=officer)

        response = hukou.get("/metrics")

        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        assert "luohu_http_requests_total" in response.text
        assert 'route="/v1/settlement-applications/{application_id}"' in response.text
        assert "some-id" not in response.text

    def test_openapi_lists_the_routes(self, hukou: TestClient) -> None:
        document = hukou.get("/openapi.json").json()

        operations = {
            (method.upper(), path) for path, item in document["paths"].items() for method in item
        }
        assert operations >= {
            ("GET", "/healthz"),
            ("GET", "/readyz"),
            ("GET", "/metrics"),
            ("POST", APPLICATIONS),
            ("GET", APPLICATIONS),
            ("GET", f"{APPLICATIONS}/{{application_id}}"),
            ("POST", f"{APPLICATIONS}/{{application_id}}/approve"),
            ("POST", f"{APPLICATIONS}/{{application_id}}/reject"),
            ("PUT", "/v1/settlement-targets/{year}/{region_code}"),
            ("GET", "/v1/settlement-targets/{year}"),
        }

    def test_openapi_documents_the_error_responses(self, hukou: TestClient) -> None:
        paths = hukou.get("/openapi.json").json()["paths"]
        error_schema = {"$ref": "#/components/schemas/ErrorResponse"}

        def documented(method: str, path: str) -> dict[str, Any]:
            responses: dict[str, Any] = paths[path][method]["responses"]
            return {
                status: body["content"]["application/json"]["schema"]
                for status, body in responses.items()
                if status[0] in "45"
            }

        assert documented("post", APPLICATIONS) == dict.fromkeys(
            ("401", "403", "409", "413", "422"), error_schema
        )
        approve_errors = documented("post", f"{APPLICATIONS}/{{application_id}}/approve")
        assert approve_errors == dict.fromkeys(
            ("401", "403", "404", "409", "413", "422"), error_schema
        )
        read_errors = documented("get", f"{APPLICATIONS}/{{application_id}}")
        assert read_errors["404"] == error_schema

    def test_docs_are_served(self, hukou: TestClient) -> None:
        response = hukou.get("/docs")

        assert response.status_code == 200
        assert "swagger" in response.text.lower()

    def test_an_unexpected_failure_answers_500_in_the_error_shape(
        self, hukou: TestClient, officer: Headers, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def database_fault(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("disk I/O error")

        monkeypatch.setattr("services.hukou.views.list_applications", database_fault)
        quiet = TestClient(hukou.app, raise_server_exceptions=False)

        response = quiet.get(APPLICATIONS, headers=officer)

        assert response.status_code == 500
        assert response.headers["content-type"].startswith("application/json")
        error = response.json()["error"]
        assert error["code"] and error["message"]
        assert "disk I/O error" not in error["message"]
