"""Fixtures shared by every test folder: settings on a temporary folder, tokens, people."""

from __future__ import annotations

import itertools
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


_sequence = itertools.cycle(range(1, 999))


def person_id(birth: date, region: str = "441402", *, female: bool = False) -> str:
    """A valid identity number, different on every call (the sequence counts up)."""
    sequence = next(_sequence)
    if (sequence % 2 == 0) != female:  # odd sequence: male
        sequence = next(_sequence)
    return make_id_number(region, birth, sequence)
