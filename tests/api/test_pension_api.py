"""Pension's routes guard themselves: who may read or confirm, and what input is refused."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.api.pension_support import (
    EMPLOYER_PAID,
    PensionApiTests,
    confirm,
    confirmation_url,
    fields,
    settlement,
)
from tests.conftest import TokenFactory
from tests.settlements import decided
from tests.support import Headers, supply

# --- authorisation -------------------------------------------------------------------------


class TestAuthorisation(PensionApiTests):
    @pytest.fixture
    def done(self, client: TestClient, settings: Settings, officer: Headers) -> dict[str, Any]:
        return decided(client, settings, officer, settlement())

    @pytest.mark.parametrize("dept", ["human_resources", "public_security", "audit"])
    def test_departments_holding_pension_read_may_read(
        self, client: TestClient, auth: TokenFactory, done: dict[str, Any], dept: str
    ) -> None:
        reader = auth(dept)
        sid = done["settlement_id"]

        assert client.get(f"/v1/settlements/{sid}", headers=reader).status_code == 200
        continuation = done["continuations"][0]["id"]
        assert client.get(f"/v1/continuations/{continuation}", headers=reader).status_code == 200

    def test_the_minimum_living_guarantee_is_no_longer_pensions(
        self, client: TestClient, officer: Headers, done: dict[str, Any]
    ) -> None:
        sid = done["settlement_id"]

        response = client.get(f"/v1/settlements/{sid}/minimum-living", headers=officer)

        assert response.status_code == 404
        assert "minimum_living" not in done
        paths = client.get("/openapi.json").json()["paths"]
        assert not any("minimum" in path for path in paths)

    @pytest.mark.parametrize("dept", ["housing", "education", "finance", "civil_affairs"])
    def test_other_departments_are_refused_with_403(
        self, client: TestClient, auth: TokenFactory, done: dict[str, Any], dept: str
    ) -> None:
        response = client.get(f"/v1/settlements/{done['settlement_id']}", headers=auth(dept))

        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"

    @pytest.mark.parametrize(
        "reader",
        [("audit",), ("public_security",), ("human_resources", "pension:read")],
    )
    def test_only_pension_write_may_confirm(
        self, client: TestClient, auth: TokenFactory, done: dict[str, Any], reader: tuple[str, ...]
    ) -> None:
        applicant = done["continuations"][0]
        sid = done["settlement_id"]

        response = confirm(client, applicant["id"], auth(*reader))
        supplied = supply(client, auth(*reader), sid, {EMPLOYER_PAID: True}, member_index=1)

        assert response.status_code == 403
        assert supplied.status_code == 403

    @pytest.mark.parametrize(
        "credentials",
        [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic eDp5"}],
    )
    def test_no_or_a_bad_token_is_a_401(
        self, client: TestClient, done: dict[str, Any], credentials: Headers
    ) -> None:
        sid = done["settlement_id"]
        applicant = done["continuations"][0]

        for response in (
            client.get(f"/v1/settlements/{sid}", headers=credentials),
            client.get(f"/v1/continuations/{applicant['id']}", headers=credentials),
            confirm(client, applicant["id"], credentials),
            supply(client, credentials, sid, {EMPLOYER_PAID: True}, member_index=1),
        ):
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "unauthenticated"


# --- invalid input -------------------------------------------------------------------------


class TestInvalidInput(PensionApiTests):
    @pytest.mark.parametrize("bad", ["-starts-with-a-dash", "x" * 65, "has space"])
    def test_a_malformed_settlement_id_is_a_422_naming_it(
        self, client: TestClient, officer: Headers, bad: str
    ) -> None:
        response = client.get(f"/v1/settlements/{bad}", headers=officer)

        assert fields(response) == {"settlement_id"}

    @pytest.mark.parametrize("path", ["/v1/continuations/{}", "/v1/continuations/{}/confirmation"])
    def test_a_continuation_id_that_is_no_uuid_is_a_422_naming_it(
        self, client: TestClient, officer: Headers, path: str
    ) -> None:
        url = path.format("not-a-uuid")
        response = (
            client.post(url, json={"months_carried_over": 1}, headers=officer)
            if url.endswith("confirmation")
            else client.get(url, headers=officer)
        )

        assert fields(response) == {"continuation_id"}

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "months_carried_over"),
            ({"months_carried_over": -1}, "months_carried_over"),
            ({"months_carried_over": 1201}, "months_carried_over"),
            ({"months_carried_over": "14"}, "months_carried_over"),
            ({"months_carried_over": 14.5}, "months_carried_over"),
            ({"months_carried_over": True}, "months_carried_over"),
            ({"months_carried_over": 14, "origin_region_code": "999999"}, "origin_region_code"),
            ({"months_carried_over": 14, "reference": ""}, "reference"),
            ({"months_carried_over": 14, "approved": True}, "approved"),
        ],
    )
    def test_a_bad_confirmation_is_a_422_naming_the_field_and_writes_nothing(
        self,
        client: TestClient,
        officer: Headers,
        continuation: dict[str, Any],
        body: dict[str, Any],
        field: str,
    ) -> None:
        response = client.post(confirmation_url(continuation["id"]), json=body, headers=officer)

        assert fields(response) == {field}
        assert all(d["reason"] for d in response.json()["error"]["details"])
        unchanged = client.get(f"/v1/continuations/{continuation['id']}", headers=officer).json()
        assert unchanged["status"] == "awaiting_origin"
        assert unchanged["confirmation"] is None
        settled = client.get(f"/v1/settlements/{continuation['settlement_id']}", headers=officer)
        assert settled.json()["version"] == 1

    def test_a_missing_body_is_a_422(
        self, client: TestClient, officer: Headers, continuation: dict[str, Any]
    ) -> None:
        response = client.post(confirmation_url(continuation["id"]), headers=officer)

        assert response.status_code == 422

    def test_an_idempotency_key_over_200_characters_is_a_422(
        self, client: TestClient, officer: Headers, continuation: dict[str, Any]
    ) -> None:
        response = confirm(client, continuation["id"], {**officer, "Idempotency-Key": "k" * 201})

        assert fields(response) == {"Idempotency-Key"}
