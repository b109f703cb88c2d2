"""Who may use education's routes: a token for every route, education's own scopes to change,
the readers public security and audit; and what the OpenAPI document says of them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.api.education_support import EducationApiTests, completion_path
from tests.support import WUJIANG, error_of, supply, token

ENDPOINTS = [
    ("GET", "/v1/settlements/some-settlement"),
    ("GET", "/v1/student-transfers"),
    ("GET", "/v1/student-transfers/some-transfer"),
    ("POST", "/v1/student-transfers/some-transfer/completion"),
    ("POST", "/v1/settlements/some-settlement/information"),
    ("GET", f"/v1/planning/{WUJIANG}?year=2019"),
]


class TestAuthorisation(EducationApiTests):
    @pytest.mark.parametrize(("method", "path"), ENDPOINTS)
    @pytest.mark.parametrize("dept", ["housing", "human_resources", "finance"])
    def test_other_departments_are_403(
        self,
        education: TestClient,
        service_settings: Settings,
        method: str,
        path: str,
        dept: str,
    ) -> None:
        response = education.request(method, path, headers=token(service_settings, dept))
        assert "education:" in error_of(response, 403, "forbidden")["message"]

    @pytest.mark.parametrize("dept", ["public_security", "audit", "education"])
    def test_public_security_audit_and_education_read(
        self, education: TestClient, service_settings: Settings, family: dict[str, Any], dept: str
    ) -> None:
        headers = token(service_settings, dept)
        for path in (
            f"/v1/settlements/{family['settlement_id']}",
            "/v1/student-transfers",
            f"/v1/planning/{WUJIANG}?year=2019",
        ):
            assert education.get(path, headers=headers).status_code == 200, (dept, path)

    @pytest.mark.parametrize(
        ("dept", "scopes"),
        [
            pytest.param("public_security", (), id="public_security"),
            pytest.param("audit", (), id="audit"),
            pytest.param("education", ("education:read",), id="education-read-alone"),
        ],
    )
    def test_readers_may_not_complete_a_transfer(
        self,
        education: TestClient,
        service_settings: Settings,
        family: dict[str, Any],
        dept: str,
        scopes: tuple[str, ...],
    ) -> None:
        response = education.post(
            completion_path(family["transfers"][0]),
            headers=token(service_settings, dept, *scopes),
        )
        assert response.status_code == 403

    @pytest.mark.parametrize("dept", ["public_security", "audit"])
    def test_readers_may_not_supply_information(
        self,
        education: TestClient,
        service_settings: Settings,
        family: dict[str, Any],
        dept: str,
    ) -> None:
        response = supply(
            education,
            token(service_settings, dept),
            family["settlement_id"],
            {"schooling.stage": "primary"},
            member_index=0,
        )
        assert "education:write" in error_of(response, 403, "forbidden")["message"]


class TestOpenApi(EducationApiTests):
    def test_the_openapi_document_lists_every_route(self, education: TestClient) -> None:
        paths = json.loads(education.get("/openapi.json").text)["paths"]
        assert {
            "/v1/settlements/{settlement_id}",
            "/v1/student-transfers",
            "/v1/student-transfers/{transfer_id}",
            "/v1/student-transfers/{transfer_id}/completion",
            "/v1/settlements/{settlement_id}/information",
            "/v1/planning/{region_code}",
        } <= set(paths)
