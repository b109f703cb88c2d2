"""Fixtures shared by every test folder: settings on a temporary folder, tokens, people."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from shared.auth import issue_token
from shared.settings import Settings
from tests.support import person_id, quick_settings, session_keys

__all__ = ["TokenFactory", "person_id"]  # person_id: where the tests have always found it

TokenFactory = Callable[..., dict[str, str]]


@pytest.fixture(scope="session")
def key_folder() -> Path:
    """Every service's signing key and the trust bundle, made once for the test session (a
    test that rotates or retires keys makes a folder of its own)."""
    return session_keys()


@pytest.fixture
def settings(tmp_path: Path, key_folder: Path) -> Settings:
    """The embedded engines on a fresh folder, with fast relay and retries for tests."""
    return quick_settings(tmp_path / "var", keys=key_folder)


@pytest.fixture
def auth(settings: Settings) -> TokenFactory:
    """`auth("public_security")` -> the Authorization header of a token for that department."""

    def headers(dept: str, *scopes: str) -> dict[str, str]:
        token = issue_token(settings, dept=dept, scopes=scopes or None)
        return {"Authorization": f"Bearer {token}"}

    return headers
