"""Department tokens on every service: a department's own key signs its tokens, and a token
signed any other way (another department's key, HS256, `none`, a key the bundle lacks, too long
a lifetime, a retired key) is a 401 wherever it is sent."""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from services.hukou.permits import fetch_permit_history
from shared.auth import AUDIENCE, issue_token, sign_token
from shared.key_folder import init_keys, retire_keys, rotate_key
from shared.keys import (
    ALGORITHM,
    HOLDERS,
    Keyring,
    SigningKey,
    keyring_for,
)
from shared.registry import DEPARTMENT_SCOPES, SERVICES, SERVICES_BY_NAME
from shared.settings import Settings
from tests.support import error_of, quick_settings

# A read route of each service and the scope it needs: a trusted token is answered 200 or
# 404 when its department holds the scope, 403 when not, and never 401.
READ_ROUTE = {
    "hukou": ("/v1/settlement-applications", "settlement:read"),
    "housing": ("/v1/settlements/{id}", "housing:read"),
    "medical_insurance": ("/v1/settlements/{id}", "medical:read"),
    "pension": ("/v1/settlements/{id}", "pension:read"),
    "education": ("/v1/settlements/{id}", "education:read"),
    "residence_permit": ("/v1/residence-permits", "permit:read"),
    "civil_affairs": ("/v1/settlements/{id}", "minimum_living:read"),
    "coordination": ("/v1/settlements/{id}", "coordination:read"),
}
EVERY_SERVICE = [entry.name for entry in SERVICES]
EIGHT_HOURS = 8 * 3600


def test_every_service_has_a_read_route_here() -> None:
    assert set(READ_ROUTE) == set(EVERY_SERVICE)


def get(client: TestClient, service: str, token: str) -> httpx.Response:
    path = READ_ROUTE[service][0].format(id=uuid.uuid4())
    answer: httpx.Response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    return answer


def refused(client: TestClient, service: str, token: str) -> str:
    """The 401's message: the token must be refused."""
    return str(error_of(get(client, service, token), 401, "unauthenticated")["message"])


def accepted(client: TestClient, service: str, token: str) -> None:
    answer = get(client, service, token)
    assert answer.status_code in (200, 404), answer.text


def open_service(settings: Settings, service: str) -> TestClient:
    build = importlib.import_module(f"services.{service}.app").build
    return TestClient(build(settings))


@pytest.fixture(params=EVERY_SERVICE)
def service(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(tmp_path: Path, key_folder: Path, service: str) -> Iterator[TestClient]:
    with open_service(quick_settings(tmp_path, workers=False, keys=key_folder), service) as c:
        yield c


@pytest.fixture
def keys_of(key_folder: Path, tmp_path: Path) -> dict[str, SigningKey]:
    """Every holder's signing key in the session's folder of keys."""
    keyring = keyring_for(quick_settings(tmp_path, keys=key_folder))
    return {key.service: key for key in keyring.local_keys()}


def claims(dept: str, /, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    values = {
        "iss": dept,
        "dept": dept,
        "scope": " ".join(sorted(DEPARTMENT_SCOPES[dept])),
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
    }
    return {**values, **overrides}


def signed(key: SigningKey, payload: dict[str, Any], **header: str) -> str:
    headers = {"kid": key.kid, **header}
    return jwt.encode(payload, key.private_key, algorithm=ALGORITHM, headers=headers)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def handmade(header: dict[str, Any], payload: dict[str, Any], secret: bytes | None) -> str:
    """A JWS put together by hand, as an attacker would (PyJWT refuses to make some of these):
    HMAC-SHA256 with `secret`, or no signature at all."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    if secret is None:
        return signing_input + "."
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


class TestTokensThatWork:
    @pytest.mark.parametrize("holder", list(HOLDERS))
    def test_a_token_of_each_department_signed_by_its_own_key_is_trusted(
        self, client: TestClient, service: str, keys_of: dict[str, SigningKey], holder: str
    ) -> None:
        answer = get(client, service, sign_token(keys_of[holder]))

        assert answer.status_code != 401, answer.text
        if READ_ROUTE[service][1] in DEPARTMENT_SCOPES[HOLDERS[holder]]:
            assert answer.status_code in (200, 404), answer.text
        else:
            assert answer.status_code == 403, answer.text  # trusted, only not allowed here

    def test_its_own_department_reads_with_the_token_the_cli_signs(
        self, client: TestClient, service: str, settings: Settings
    ) -> None:
        accepted(client, service, issue_token(settings, dept=SERVICES_BY_NAME[service].department))


class TestForgedTokens:
    @pytest.mark.parametrize(
        ("iss", "dept"),
        [
            ("public_security", "public_security"),
            ("housing", "public_security"),
            ("public_security", "housing"),
        ],
    )
    def test_housings_key_speaking_for_public_security_is_refused(
        self,
        client: TestClient,
        service: str,
        keys_of: dict[str, SigningKey],
        iss: str,
        dept: str,
    ) -> None:
        """The attack of issue 11: a compromised housing service mints public security's
        token with its own key."""
        forged = signed(keys_of["housing"], claims("public_security", iss=iss, dept=dept))

        message = refused(client, service, forged)

        assert "housing's key" in message and "only for housing" in message

    @pytest.mark.parametrize(
        "secret",
        [
            pytest.param(b"a", id="a_weak_secret"),
            pytest.param(b"luohu-development-secret-change-me", id="the_old_shared_secret"),
            pytest.param(uuid.uuid4().bytes * 4, id="a_strong_secret"),
            pytest.param(None, id="hukous_public_key_as_the_secret"),
        ],
    )
    def test_an_hs256_token_is_refused_whatever_its_secret(
        self,
        client: TestClient,
        service: str,
        keys_of: dict[str, SigningKey],
        secret: bytes | None,
    ) -> None:
        hukou = keys_of["hukou"]
        if secret is None:  # the algorithm confusion: a public key everyone has, as HMAC key
            secret = hukou.private_key.public_key().public_bytes_raw()
        header = {"alg": "HS256", "typ": "JWT", "kid": hukou.kid}

        message = refused(client, service, handmade(header, claims("public_security"), secret))

        assert "EdDSA" in message

    @pytest.mark.parametrize("alg", ["none", "None", "NONE"])
    def test_an_unsigned_token_is_refused(
        self, client: TestClient, service: str, keys_of: dict[str, SigningKey], alg: str
    ) -> None:
        header = {"alg": alg, "typ": "JWT", "kid": keys_of["hukou"].kid}

        refused(client, service, handmade(header, claims("public_security"), None))

    @pytest.mark.parametrize(
        "lifetime",
        [
            pytest.param(EIGHT_HOURS + 60, id="eight_hours_and_a_minute"),
            pytest.param(80 * 365 * 24 * 3600, id="eighty_years"),
        ],
    )
    def test_a_token_valid_for_more_than_eight_hours_is_refused(
        self, client: TestClient, service: str, keys_of: dict[str, SigningKey], lifetime: int
    ) -> None:
        now = int(time.time())
        own = SERVICES_BY_NAME[service].department
        key = keys_of[next(holder for holder, dept in HOLDERS.items() if dept == own)]
        token = signed(key, claims(own, iat=now, exp=now + lifetime))

        assert "8 hours" in refused(client, service, token)
        accepted(client, service, signed(key, claims(own, iat=now, exp=now + EIGHT_HOURS)))

    def test_a_key_the_bundle_does_not_hold_is_refused(
        self, client: TestClient, service: str, keys_of: dict[str, SigningKey]
    ) -> None:
        stranger = SigningKey(
            kid="hukou-20990101-deadbeef",
            service="hukou",
            dept="public_security",
            private_key=Ed25519PrivateKey.generate(),
        )

        assert "trust bundle" in refused(
            client, service, signed(stranger, claims("public_security"))
        )

    def test_a_token_naming_no_key_is_refused(
        self, client: TestClient, service: str, keys_of: dict[str, SigningKey]
    ) -> None:
        token = jwt.encode(claims("housing"), keys_of["housing"].private_key, algorithm=ALGORITHM)

        refused(client, service, token)

    def test_a_key_under_another_keys_kid_is_refused(
        self, client: TestClient, service: str, keys_of: dict[str, SigningKey]
    ) -> None:
        """Housing's key presenting hukou's kid: the signature does not verify."""
        housing, hukou = keys_of["housing"], keys_of["hukou"]
        posing = SigningKey(hukou.kid, "hukou", "public_security", housing.private_key)

        refused(client, service, signed(posing, claims("public_security")))


class TestRotation:
    def test_old_and_new_keys_both_work_until_the_old_one_is_retired(
        self, tmp_path: Path, service: str
    ) -> None:
        folder = tmp_path / "keys"
        init_keys(folder)
        settings = quick_settings(tmp_path / "var", workers=False, keys=folder)
        keyring = keyring_for(settings)
        old = keyring.signing_key(service)
        old_token = sign_token(old)

        with open_service(settings, service) as client:
            new_kid = rotate_key(folder, service)
            new = keyring.signing_key(service)
            assert new.kid == new_kid != old.kid, "the signer uses the newest key"
            assert [k.kid for k in keyring.bundle().of_service(service)] == [old.kid, new.kid]
            accepted(client, service, old_token)
            accepted(client, service, sign_token(new))

            assert retire_keys(folder, service) == [old.kid]

            assert "trust bundle" in refused(client, service, old_token)
            accepted(client, service, sign_token(new))


def test_hukou_asks_for_permit_histories_as_itself(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its token is public security's, signed with hukou's own key, and reads permits only."""
    sent: dict[str, str] = {}

    def fake_post(url: str, *, headers: dict[str, str], **_: Any) -> httpx.Response:
        sent.update(headers)
        request = httpx.Request("POST", url)
        return httpx.Response(200, json={"permits": []}, request=request)

    monkeypatch.setattr(httpx, "post", fake_post)
    keyring: Keyring = keyring_for(settings)

    history = fetch_permit_history("http://permits", keyring, "not-looked-at")

    assert history.available
    token = sent["Authorization"].removeprefix("Bearer ")
    kid = jwt.get_unverified_header(token)["kid"]
    signer = keyring.bundle().get(kid)
    assert signer is not None and signer.service == "hukou"
    verified = jwt.decode(token, signer.public_key, algorithms=[ALGORITHM], audience=AUDIENCE)
    assert (verified["iss"], verified["dept"]) == ("public_security", "public_security")
    assert verified["scope"] == "permit:read"
    assert verified["exp"] - verified["iat"] <= 60
