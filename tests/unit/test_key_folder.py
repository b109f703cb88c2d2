"""The key folder: who holds which key, `init` making the keys and the trust bundle, the bundles
refused, rotation and retirement, and a trusted key as a JWK."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.events.signing import sign_bytes, verify_bytes
from shared.key_folder import init_keys, retire_keys, rotate_key
from shared.keys import (
    BUNDLE_FILE,
    HOLDERS,
    KEY_SUFFIX,
    KeyProblem,
    TrustBundle,
    TrustedKey,
    UntrustedSignature,
    keyring_for,
)
from shared.registry import DEPARTMENT_SCOPES, SERVICES
from shared.service import create_app
from shared.settings import Settings
from tests.unit.keys_support import KID, bundle_document, settings_on


class TestWhoHoldsAKey:
    def test_every_service_holds_a_key_of_its_registry_department(self) -> None:
        for service in SERVICES:
            assert HOLDERS[service.name] == service.department

    def test_a_department_calling_in_without_a_service_holds_one_under_its_name(self) -> None:
        served = {service.department for service in SERVICES}
        for dept in set(DEPARTMENT_SCOPES) - served:
            assert HOLDERS[dept] == dept
        assert set(HOLDERS.values()) == set(DEPARTMENT_SCOPES)


class TestInit:
    def test_init_makes_a_private_key_per_holder_readable_by_its_owner_only(
        self, tmp_path: Path
    ) -> None:
        created = init_keys(tmp_path)

        assert len(created) == len(HOLDERS)
        for holder in HOLDERS:
            mode = stat.S_IMODE((tmp_path / f"{holder}{KEY_SUFFIX}").stat().st_mode)
            assert mode == 0o600, f"{holder}: {oct(mode)}"

    def test_the_bundle_lists_every_key_with_its_service_and_department_public_halves_only(
        self, tmp_path: Path
    ) -> None:
        init_keys(tmp_path)

        jwks = bundle_document(tmp_path)["keys"]
        assert {jwk["service"]: jwk["dept"] for jwk in jwks} == dict(HOLDERS)
        for jwk in jwks:
            assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == (
                "OKP",
                "Ed25519",
                "EdDSA",
                "sig",
            )
            assert "d" not in jwk, "a private key in the bundle"
            found = KID.fullmatch(jwk["kid"])
            assert found and found["service"] == jwk["service"], jwk["kid"]

    def test_init_is_idempotent(self, tmp_path: Path) -> None:
        init_keys(tmp_path)
        before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}

        assert init_keys(tmp_path) == []

        assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before

    def test_init_gives_a_key_to_a_holder_that_lacks_one_and_replaces_nothing(
        self, tmp_path: Path
    ) -> None:
        init_keys(tmp_path, ("hukou",))
        hukou = (tmp_path / f"hukou{KEY_SUFFIX}").read_bytes()

        created = init_keys(tmp_path)

        assert len(created) == len(HOLDERS) - 1 and not any(k.startswith("hukou-") for k in created)
        assert (tmp_path / f"hukou{KEY_SUFFIX}").read_bytes() == hukou
        assert len(TrustBundle.read(tmp_path / BUNDLE_FILE).keys) == len(HOLDERS)

    def test_a_service_starting_in_development_makes_the_keys_it_lacks(
        self, tmp_path: Path
    ) -> None:
        from services.housing.app import SPEC

        settings = Settings(_env_file=None, environment="development", data_dir=tmp_path)
        create_app(SPEC, settings)

        assert (tmp_path / "keys" / f"housing{KEY_SUFFIX}").exists()
        assert (tmp_path / "keys" / BUNDLE_FILE).exists()


class TestBundle:
    def test_a_bundle_saying_a_key_of_housing_is_public_securitys_is_refused(
        self, tmp_path: Path
    ) -> None:
        init_keys(tmp_path)
        document = bundle_document(tmp_path)
        (housing,) = [jwk for jwk in document["keys"] if jwk["service"] == "housing"]
        housing["dept"] = "public_security"

        with pytest.raises(KeyProblem, match="housing is housing's"):
            TrustBundle.from_json(json.dumps(document))

    @pytest.mark.parametrize(
        ("member", "value", "says"),
        [
            pytest.param("d", "c2VjcmV0", "public keys only", id="holding_a_private_key"),
            pytest.param("alg", "HS256", "EdDSA", id="of_another_kind_of_key"),
        ],
    )
    def test_a_bundle_whose_key_is_not_a_public_eddsa_key_is_refused(
        self, tmp_path: Path, member: str, value: str, says: str
    ) -> None:
        init_keys(tmp_path)
        document = bundle_document(tmp_path)
        document["keys"][0][member] = value

        with pytest.raises(KeyProblem, match=says):
            TrustBundle.from_json(json.dumps(document))

    def test_a_bundle_that_changes_into_something_unusable_keeps_the_last_good_one(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        init_keys(tmp_path)
        keyring = keyring_for(settings_on(tmp_path))
        kids = [key.kid for key in keyring.bundle().keys]

        good = (tmp_path / BUNDLE_FILE).read_text()

        (tmp_path / BUNDLE_FILE).write_text('{"keys": "half-written')

        for _ in range(3):
            assert [key.kid for key in keyring.bundle().keys] == kids
        assert len([r for r in caplog.records if "cannot be used" in r.message]) == 1
        (tmp_path / BUNDLE_FILE).write_text(good)
        rotate_key(tmp_path, "housing")  # a good bundle again, with one key more
        assert len(keyring.bundle().keys) == len(kids) + 1

    def test_the_bundle_round_trips(self, tmp_path: Path) -> None:
        init_keys(tmp_path)
        bundle = TrustBundle.read(tmp_path / BUNDLE_FILE)

        assert TrustBundle.from_json(bundle.to_json()) == bundle


class TestRotation:
    def test_the_signer_uses_the_newest_key_and_the_bundle_holds_both(self, tmp_path: Path) -> None:
        init_keys(tmp_path)
        keyring = keyring_for(settings_on(tmp_path))
        old = keyring.signing_key("pension")

        new_kid = rotate_key(tmp_path, "pension")

        assert keyring.signing_key("pension").kid == new_kid != old.kid
        assert [k.kid for k in keyring.bundle().of_service("pension")] == [old.kid, new_kid]
        assert stat.S_IMODE((tmp_path / f"pension{KEY_SUFFIX}").stat().st_mode) == 0o600

    def test_retiring_takes_the_old_keys_out_and_keeps_the_newest(self, tmp_path: Path) -> None:
        init_keys(tmp_path)
        keyring = keyring_for(settings_on(tmp_path))
        old = keyring.signing_key("pension")
        signed_before = sign_bytes(keyring, "pension", b"report")
        new_kid = rotate_key(tmp_path, "pension")
        assert verify_bytes(keyring, b"report", signed_before).kid == old.kid

        assert retire_keys(tmp_path, "pension") == [old.kid]

        assert [k.kid for k in keyring.bundle().of_service("pension")] == [new_kid]
        with pytest.raises(UntrustedSignature, match="does not hold"):
            verify_bytes(keyring, b"report", signed_before)
        assert retire_keys(tmp_path, "pension") == []

    def test_rotating_an_unknown_holder_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(KeyProblem, match="no such key holder"):
            rotate_key(tmp_path, "tax")


def test_a_trusted_key_knows_its_jwk() -> None:
    key = Ed25519PrivateKey.generate().public_key()
    entry = TrustedKey("housing-20240101-00000000", "housing", "housing", key)

    assert TrustedKey.from_jwk(entry.to_jwk()) == entry
