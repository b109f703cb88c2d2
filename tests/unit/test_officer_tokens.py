"""A token may name the officer who acts (`officer`): who decides a review (复核) is read from
the signed token, never from a request body."""

from __future__ import annotations

import jwt
import pytest
from typer.testing import CliRunner

from shared.auth import decode_token, sign_token
from shared.cli import app as cli_app
from shared.errors import Unauthenticated
from shared.keys import ALGORITHM, Keyring, keyring_for
from tests.support import quick_settings, session_keys


@pytest.fixture(scope="module")
def keyring(tmp_path_factory: pytest.TempPathFactory) -> Keyring:
    return keyring_for(quick_settings(tmp_path_factory.mktemp("officer"), workers=False))


def test_a_token_naming_an_officer_carries_them_to_the_principal(keyring: Keyring) -> None:
    token = sign_token(keyring.signing_key("hukou"), officer="ps-0042")

    principal = decode_token(keyring, token)

    assert principal.officer == "ps-0042"
    assert principal.actor == "dept:public_security/officer:ps-0042"


def test_a_token_without_an_officer_acts_for_the_department_alone(keyring: Keyring) -> None:
    principal = decode_token(keyring, sign_token(keyring.signing_key("hukou")))

    assert principal.officer is None
    assert principal.actor == "dept:public_security"


@pytest.mark.parametrize("officer", ["", "张三", "a b", "-leading-dash", "x" * 41])
def test_an_officer_that_is_no_staff_number_is_not_signed(keyring: Keyring, officer: str) -> None:
    with pytest.raises(ValueError, match="staff number"):
        sign_token(keyring.signing_key("hukou"), officer=officer)


def test_a_forty_character_staff_number_is_signed(keyring: Keyring) -> None:
    token = sign_token(keyring.signing_key("hukou"), officer="x" * 40)

    assert decode_token(keyring, token).officer == "x" * 40


@pytest.mark.parametrize("claim", [42, "张三", ["ps-1"]])
def test_a_signed_but_malformed_officer_claim_is_refused(keyring: Keyring, claim: object) -> None:
    key = keyring.signing_key("hukou")
    claims = jwt.decode(sign_token(key), options={"verify_signature": False})
    forged = jwt.encode(
        {**claims, "officer": claim}, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid}
    )

    with pytest.raises(Unauthenticated, match="officer"):
        decode_token(keyring, forged)


def test_luohu_token_names_the_officer() -> None:
    result = CliRunner().invoke(
        cli_app,
        ["token", "--dept", "public_security", "--officer", "ps-0042"],
        env={"LUOHU_KEYS_DIR": str(session_keys())},
    )

    assert result.exit_code == 0, result.output
    claims = jwt.decode(result.output.strip(), options={"verify_signature": False})
    assert claims["officer"] == "ps-0042"


def test_luohu_token_refuses_an_officer_that_is_no_staff_number() -> None:
    result = CliRunner().invoke(
        cli_app,
        ["token", "--dept", "public_security", "--officer", "a b"],
        env={"LUOHU_KEYS_DIR": str(session_keys())},
    )

    assert result.exit_code == 2
    assert "staff number" in result.output
