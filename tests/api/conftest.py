"""The hukou service in-process (TestClient runs its lifespan: migrations, relay, consumer)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.hukou.app import build
from shared.settings import Settings
from tests.support import MEIZHOU, WUJIANG, person_id


@pytest.fixture
def hukou(settings: Settings) -> Iterator[TestClient]:
    with TestClient(build(settings)) as client:
        yield client


def application(**overrides: Any) -> dict[str, Any]:
    """A valid stable-residence application received while the 2017 measures were in force."""
    body: dict[str, Any] = {
        "applicant": {
            "id_number": person_id(date(1988, 5, 1)),
            "name": "张三",
            "hukou_region_code": MEIZHOU,
            "hukou_type": "rural",
        },
        "channel": "stable_residence",
        "destination_region_code": WUJIANG,
        "received_on": "2019-06-01",
        "residence": {"address": "武江区沿江路 1 号", "tenure": "rented", "since": "2018-01-01"},
        "social_insurance": {
            "pension_months": 14,
            "medical_months": 14,
            "insured_region_code": WUJIANG,
            "employer_paid": True,
        },
        "household": [
            {
                "id_number": person_id(date(1990, 2, 2), female=True),
                "name": "李四",
                "relation": "spouse",
            },
            {"id_number": person_id(date(2012, 3, 3)), "name": "张小", "relation": "child"},
        ],
        "rural_rights": {"land_contract": True, "homestead": True, "collective_income": True},
        "housing": {"monthly_household_income": 4200, "current_area_m2": 0},
    }
    body.update(overrides)
    return body
