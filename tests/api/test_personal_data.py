"""What a department keeps of an approval is what it receives, and nothing of the rest
(docs/personal-data.md): each one's own database, after it has decided."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from shared.registry import DOWNSTREAM_SERVICES, SERVICES_BY_NAME
from tests.api.conftest import Services, spec_of
from tests.settlements import follow_directly, settlement_in_full

FAMILY = settlement_in_full()
# Each personal value of the family, by the path a department would have to receive to hold it.
PERSONAL: dict[str, list[str]] = {
    "members.name": [m.name or "" for m in FAMILY.members],
    "members.id_number": [m.id_number for m in FAMILY.members],
    "housing.monthly_household_income": ["4321.5"],
    "housing.current_area_m2": ["38.5"],
    "social_insurance.pension_months": ['"pension_months": 30'],
    "residence.address": ["沿江路"],
}


def receives(service: str, path: str) -> bool:
    section = path.partition(".")[0]
    return any(given in (path, section) for given in SERVICES_BY_NAME[service].receives)


@pytest.mark.parametrize("service", DOWNSTREAM_SERVICES)
def test_a_department_keeps_only_what_it_receives(services: Services, service: str) -> None:
    client = services(service)
    follow_through = spec_of(service).follow_through
    assert follow_through is not None
    settlement_id = follow_directly(client, follow_through, FAMILY)

    cases = follow_through.records.cases
    with client.app.state.runtime.db.read_only() as session:  # type: ignore[attr-defined]
        stored = session.execute(
            select(cases.c.approved).where(cases.c.settlement_id == settlement_id)
        ).scalar_one()
    kept = json.dumps(stored, ensure_ascii=False)

    for path, values in PERSONAL.items():
        held = [value in kept for value in values]
        assert held == [receives(service, path)] * len(values), path
