"""Every service's OpenAPI document: each `/v1/` operation declares the refusals it can answer
(401, 403 and 422 always, and the 404s and 409s of its own) in the contract's error shape."""

from __future__ import annotations

import importlib

import pytest

from shared.registry import SERVICES

ERROR_SHAPE = {"$ref": "#/components/schemas/ErrorResponse"}
SETTLEMENT = "/v1/settlements/{settlement_id}"
INFORMATION = f"{SETTLEMENT}/information"
PERMITS = "/v1/residence-permits"

OPERATIONS = {
    "hukou": 13,
    "housing": 7,
    "medical_insurance": 9,  # ... and a filing for care at the origin: record, end, read
    "pension": 4,  # a settlement, a continuation, the origin's confirmation, the information
    "education": 7,
    "residence_permit": 16,
    "civil_affairs": 2,
    # a family's progress, the list; the supervision's open items and their summary, the
    # follow-ups (chase, list, one), the weekly digest, the incidents; population figures (put,
    # get), the rates, the report; the audit heads; a finding opened, answered, closed, read,
    # listed (四(四))
    "coordination": 19,
}
"""How many `/v1/` operations each service has of its own."""

COMMON_OPERATIONS = 3
"""Every service's `GET /v1/audit` and `GET /v1/audit/head` (四(四), `shared.audit_routes`), and
its `POST /v1/dead-letters/replay` (`shared.replay_routes`)."""

OWN_REFUSALS = [
    *((service.name, "POST", "/v1/dead-letters/replay", {"503"}) for service in SERVICES),
    ("housing", "GET", SETTLEMENT, {"404"}),
    ("housing", "POST", f"{SETTLEMENT}/housing-applications", {"409"}),
    ("pension", "POST", INFORMATION, set()),
    ("residence_permit", "POST", PERMITS, {"409"}),
    ("residence_permit", "POST", f"{PERMITS}/{{permit_id}}/endorsements", {"404", "409"}),
    ("residence_permit", "POST", "/v1/residence-registrations", {"409"}),
    (
        "residence_permit",
        "POST",
        "/v1/residence-registrations/{registration_id}/move",
        {"404", "409"},
    ),
    ("residence_permit", "POST", INFORMATION, {"404", "409"}),
    (
        "medical_insurance",
        "POST",
        "/v1/transfers/{transfer_id}/care-elsewhere-filings",
        {"404", "409"},
    ),
    ("civil_affairs", "GET", SETTLEMENT, {"404"}),
    ("civil_affairs", "POST", INFORMATION, {"404", "409"}),
    ("coordination", "GET", SETTLEMENT, {"404"}),
    ("coordination", "POST", "/v1/audit-findings/{finding_id}/responses", {"404", "409"}),
    ("coordination", "POST", "/v1/audit-findings/{finding_id}/close", {"404", "409"}),
    ("coordination", "GET", "/v1/audit-findings/{finding_id}", {"404"}),
    ("coordination", "POST", "/v1/follow-ups", {"404", "409"}),
    ("coordination", "GET", "/v1/follow-ups/{follow_up_id}", {"404"}),
    ("coordination", "GET", "/v1/population/{region_code}/{year}", {"404"}),
]


def documented(name: str) -> dict[tuple[str, str], set[str]]:
    """Each `/v1/` operation of the service: the statuses it declares in the error shape."""
    paths = importlib.import_module(f"services.{name}.app").app.openapi()["paths"]
    return {
        (method.upper(), path): {
            status
            for status, body in operation["responses"].items()
            if body.get("content", {}).get("application/json", {}).get("schema") == ERROR_SHAPE
        }
        for path, operations in paths.items()
        if path.startswith("/v1/")
        for method, operation in operations.items()
    }


def test_every_service_is_counted() -> None:
    assert set(OPERATIONS) == {service.name for service in SERVICES}


@pytest.mark.parametrize(("name", "count"), OPERATIONS.items())
def test_every_v1_operation_documents_401_403_and_422_in_the_error_shape(
    name: str, count: int
) -> None:
    operations = documented(name)

    assert len(operations) == count + COMMON_OPERATIONS
    undocumented = {
        operation: statuses
        for operation, statuses in operations.items()
        if not {"401", "403", "422"} <= statuses
    }
    assert undocumented == {}


@pytest.mark.parametrize(("name", "method", "path", "refusals"), OWN_REFUSALS)
def test_an_operation_documents_the_refusals_of_its_own(
    name: str, method: str, path: str, refusals: set[str]
) -> None:
    assert refusals <= documented(name)[(method, path)]
