"""Process settings: production refuses a weak or missing token secret, and never prints it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.settings import DEVELOPMENT_SECRET, MINIMUM_SECRET_BYTES, Settings


def production(monkeypatch: pytest.MonkeyPatch, secret: str | None) -> Settings:
    """The settings a production process reads from its environment."""
    monkeypatch.setenv("LUOHU_ENVIRONMENT", "production")
    if secret is None:
        monkeypatch.delenv("LUOHU_JWT_SECRET", raising=False)
    else:
        monkeypatch.setenv("LUOHU_JWT_SECRET", secret)
    return Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    "secret",
    ["a", "x" * (MINIMUM_SECRET_BYTES - 1), ""],
    ids=["one byte", "31 bytes", "empty"],
)
def test_production_refuses_a_secret_shorter_than_32_bytes(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        production(monkeypatch, secret)

    assert f"at least {MINIMUM_SECRET_BYTES} bytes" in str(refused.value)


@pytest.mark.parametrize("secret", [None, DEVELOPMENT_SECRET], ids=["missing", "the default"])
def test_production_refuses_the_development_secret(
    monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    with pytest.raises(ValidationError, match="must be set to a real secret"):
        production(monkeypatch, secret)


def test_the_refusal_does_not_print_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "weak-but-recognisable"

    with pytest.raises(ValidationError) as refused:
        production(monkeypatch, secret)

    # What a failed start prints: the traceback's last line.
    assert secret not in str(refused.value)
    assert secret not in repr(refused.value)


def test_production_starts_with_a_secret_of_32_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "s" * MINIMUM_SECRET_BYTES

    assert production(monkeypatch, secret).jwt_secret == secret


def test_32_bytes_are_counted_in_bytes_not_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "密" * 11  # 33 bytes in UTF-8, 11 characters

    assert production(monkeypatch, secret).jwt_secret == secret


def test_development_accepts_any_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUOHU_ENVIRONMENT", "development")
    monkeypatch.setenv("LUOHU_JWT_SECRET", "a")

    assert Settings(_env_file=None).jwt_secret == "a"  # type: ignore[call-arg]
