"""Fixtures shared by every test folder: settings on a temporary folder, tokens, people."""

from __future__ import annotations

import collections
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from shared.auth import issue_token
from shared.identity import make_id_number
from shared.settings import Settings

TokenFactory = Callable[..., dict[str, str]]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The embedded engines on a fresh folder, with fast relay and retries for tests."""
    return Settings(
        environment="test",
        data_dir=tmp_path / "var",
        relay_interval_seconds=0.02,
        consumer_retry_backoff_seconds=0.01,
        consumer_max_attempts=3,
    )


@pytest.fixture
def auth(settings: Settings) -> TokenFactory:
    """`auth("public_security")` -> the Authorization header of a token for that department."""

    def headers(dept: str, *scopes: str) -> dict[str, str]:
        token = issue_token(settings, dept=dept, scopes=scopes or None)
        return {"Authorization": f"Bearer {token}"}

    return headers


# Meizhou's counties, from the one fixtures name least: where a birth day's 499 numbers per
# sex run out in one county, the next county's begin; every number a test run makes differs.
_REGIONS = ("441481", "441427", "441426", "441424", "441423", "441422", "441403", "441402")
_issued: collections.Counter[tuple[str, date, bool]] = collections.Counter()


def person_id(birth: date, region: str | None = None, *, female: bool = False) -> str:
    """A valid identity number, different from every other this process has made."""
    for candidate in (region,) if region else _REGIONS:
        index = _issued[(candidate, birth, female)]
        if index < 499:
            _issued[(candidate, birth, female)] += 1
            sequence = 2 * index + (2 if female else 1)  # odd: male, even: female
            return make_id_number(candidate, birth, sequence)
    raise RuntimeError(f"no identity numbers left for {birth} in {region or _REGIONS}")
