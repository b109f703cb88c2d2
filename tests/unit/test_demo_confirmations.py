"""The walk-through's answers from elsewhere: each is posted on its department's own route for
the member's row, with the body that route takes (the e2e suite runs them against the engines;
this checks the requests without them)."""

from __future__ import annotations

from typing import Any

import pytest

from shared.demo import CONFIRMATIONS, ORIGIN_CONFIRMS_MONTHS

SETTLEMENT = "S-1"
RECORDS: dict[str, dict[str, Any]] = {
    "pension": {
        "continuations": [{"member_index": 0, "id": "c-0"}, {"member_index": 1, "id": "c-1"}]
    },
    "medical_insurance": {
        "decision_date": "2024-05-06",
        "entries": [{"member_index": 1, "transfer_id": "t-1"}],
    },
    "education": {
        "transfers": [
            {"member_index": 2, "id": "old", "status": "completed"},
            {"member_index": 2, "id": "new", "status": "requested"},
        ]
    },
}


class Recording:
    """Answers each department's record of the settlement, and keeps what is posted."""

    def __init__(self) -> None:
        self.posted: list[tuple[str, str, Any]] = []

    def ok(self, method: str, service: str, path: str, **kwargs: Any) -> Any:
        if method == "GET":
            assert path == f"/v1/settlements/{SETTLEMENT}"
            return RECORDS[service]
        self.posted.append((service, path, kwargs.get("json")))
        return {}


@pytest.mark.parametrize(
    ("service", "field", "member_index", "posted"),
    [
        (
            "pension",
            "social_insurance.pension_months",
            1,
            (
                "/v1/continuations/c-1/confirmation",
                {"months_carried_over": ORIGIN_CONFIRMS_MONTHS},
            ),
        ),
        (
            "medical_insurance",
            "medical_insurance.origin_confirmation",
            1,
            (
                "/v1/transfers/t-1/confirmation",
                {
                    "outcome": "confirmed",
                    "months": ORIGIN_CONFIRMS_MONTHS,
                    "coverage_end": "2024-05-06",
                },
            ),
        ),
        # The transfer still requested, not the one completed before; a completion has no body.
        (
            "education",
            "student_transfer.completion",
            2,
            ("/v1/student-transfers/new/completion", None),
        ),
    ],
)
def test_an_answer_is_posted_on_the_departments_route_for_the_members_row(
    service: str, field: str, member_index: int, posted: tuple[str, Any]
) -> None:
    services = Recording()
    CONFIRMATIONS[service, field](services, SETTLEMENT, member_index)  # type: ignore[arg-type]
    assert services.posted == [(service, *posted)]
