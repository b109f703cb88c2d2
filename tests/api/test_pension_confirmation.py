"""The origin confirms the months carried over, and the pension relationship continues."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.api.pension_support import (
    MONTHS,
    PensionApiTests,
    confirm,
    confirmation_url,
    items,
    member_of,
    settlement,
)
from tests.settlements import decided
from tests.support import MEIZHOU, Headers, acted_on


class TestConfirmation(PensionApiTests):
    def test_the_origin_confirms_the_months_and_the_relationship_continues(
        self, client: TestClient, officer: Headers, continuation: dict[str, Any]
    ) -> None:
        response = client.post(
            confirmation_url(continuation["id"]),
            json={"months_carried_over": 28, "reference": "梅州-2019-0001"},
            headers=officer,
        )

        assert response.status_code == 200, response.text
        confirmed = response.json()
        assert confirmed["status"] == "continued"
        assert confirmed["months_stated"] == 30
        assert confirmed["months_carried_over"] == 28
        assert confirmed["months_source"] == "origin_confirmation"
        assert confirmed["confirmation"]["confirmed_by"] == "dept:human_resources"
        assert confirmed["confirmation"]["origin_region_code"] == MEIZHOU
        again = client.get(f"/v1/continuations/{continuation['id']}", headers=officer).json()
        assert again == confirmed
        # decided again in the same unit of work: the item awaiting the origin is closed
        settled = acted_on(client, officer, continuation["settlement_id"])
        assert settled["version"] == 2
        assert (0, MONTHS, "confirmation") not in items(settled)
        assert member_of(settled, 0) == confirmed

    def test_a_second_confirmation_is_a_409_and_decides_nothing(
        self, client: TestClient, officer: Headers, continuation: dict[str, Any]
    ) -> None:
        assert confirm(client, continuation["id"], officer, months=30).status_code == 200

        response = confirm(client, continuation["id"], officer, months=31)

        assert response.status_code == 409
        assert "not awaiting" in response.json()["error"]["message"]
        assert acted_on(client, officer, continuation["settlement_id"])["version"] == 2

    def test_a_continuation_not_awaiting_the_origin_is_a_409(
        self, client: TestClient, settings: Settings, officer: Headers
    ) -> None:
        drawing = member_of(decided(client, settings, officer, settlement()), 3)

        response = confirm(client, drawing["id"], officer)

        assert response.status_code == 409
        unchanged = client.get(f"/v1/continuations/{drawing['id']}", headers=officer).json()
        assert unchanged == drawing

    def test_the_same_idempotency_key_answers_the_first_answer_again(
        self, client: TestClient, officer: Headers, continuation: dict[str, Any]
    ) -> None:
        keyed = {**officer, "Idempotency-Key": f"confirm-{continuation['id']}"}

        first = confirm(client, continuation["id"], keyed, months=30)
        second = confirm(client, continuation["id"], keyed, months=30)
        different = confirm(client, continuation["id"], keyed, months=29)

        assert first.status_code == second.status_code == 200
        assert second.json() == first.json()
        assert different.status_code == 409

    def test_an_unknown_continuation_is_a_404(self, client: TestClient, officer: Headers) -> None:
        response = confirm(client, str(uuid.uuid4()), officer)

        assert response.status_code == 404
