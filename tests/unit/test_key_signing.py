"""Keys in use: bytes signed and checked as their signer, and what production needs to start."""

from __future__ import annotations

from pathlib import Path

import jwt
import pytest

from shared.events.signing import sign_bytes, verify_bytes
from shared.key_folder import init_keys
from shared.keys import (
    BUNDLE_FILE,
    KEY_SUFFIX,
    KeyProblem,
    NoSigningKey,
    UntrustedSignature,
    keyring_for,
)
from shared.service import create_app
from shared.settings import Settings
from tests.unit.keys_support import settings_on


class TestSignedBytes:
    """What events are signed with: a detached JWS whose verification names the signer."""

    @pytest.fixture
    def folder(self, tmp_path: Path) -> Path:
        init_keys(tmp_path)
        return tmp_path

    def test_bytes_signed_by_a_service_verify_as_that_service(self, folder: Path) -> None:
        keyring = keyring_for(settings_on(folder))

        signature = sign_bytes(keyring, "education", b'{"type": "processed"}')
        signer = verify_bytes(keyring, b'{"type": "processed"}', signature)

        assert (signer.service, signer.dept) == ("education", "education")
        assert jwt.get_unverified_header(signature)["alg"] == "EdDSA"

    def test_altered_bytes_do_not_verify(self, folder: Path) -> None:
        keyring = keyring_for(settings_on(folder))
        signature = sign_bytes(keyring, "education", b'{"status": "failed"}')

        with pytest.raises(UntrustedSignature, match="does not verify"):
            verify_bytes(keyring, b'{"status": "done"}', signature)

    def test_a_key_outside_the_bundle_does_not_verify(self, folder: Path, tmp_path: Path) -> None:
        elsewhere = tmp_path / "elsewhere"
        init_keys(elsewhere)
        stranger = sign_bytes(keyring_for(settings_on(elsewhere)), "housing", b"done")

        with pytest.raises(UntrustedSignature, match="does not hold"):
            verify_bytes(keyring_for(settings_on(folder)), b"done", stranger)

    def test_a_signature_that_is_no_jws_does_not_verify(self, folder: Path) -> None:
        with pytest.raises(UntrustedSignature, match="malformed"):
            verify_bytes(keyring_for(settings_on(folder)), b"done", "not a signature")

    def test_signing_as_a_service_whose_key_is_not_here_is_refused(
        self, folder: Path, tmp_path: Path
    ) -> None:
        only_housing = Settings(
            _env_file=None,
            signing_key_file=folder / f"housing{KEY_SUFFIX}",
            trust_bundle_file=folder / BUNDLE_FILE,
        )

        with pytest.raises(NoSigningKey, match="no signing key of hukou"):
            sign_bytes(keyring_for(only_housing), "hukou", b"approved")


class TestProduction:
    @pytest.fixture
    def folder(self, tmp_path: Path) -> Path:
        init_keys(tmp_path / "keys")
        return tmp_path / "keys"

    def production(
        self, *, signing_key_file: Path | None = None, trust_bundle_file: Path | None = None
    ) -> Settings:
        return Settings(
            _env_file=None,
            environment="production",
            signing_key_file=signing_key_file,
            trust_bundle_file=trust_bundle_file,
        )

    def test_production_refuses_to_start_without_its_key_and_the_bundle(self) -> None:
        from services.housing.app import SPEC

        with pytest.raises(KeyProblem, match="LUOHU_SIGNING_KEY_FILE and LUOHU_TRUST_BUNDLE_FILE"):
            create_app(SPEC, self.production())

    def test_production_refuses_to_start_with_a_bundle_but_no_key(self, folder: Path) -> None:
        from services.housing.app import SPEC

        with pytest.raises(NoSigningKey, match="housing needs its own signing key"):
            create_app(SPEC, self.production(trust_bundle_file=folder / BUNDLE_FILE))

    def test_production_refuses_to_start_with_another_services_key(self, folder: Path) -> None:
        from services.housing.app import SPEC

        settings = self.production(
            signing_key_file=folder / f"hukou{KEY_SUFFIX}", trust_bundle_file=folder / BUNDLE_FILE
        )

        with pytest.raises(NoSigningKey, match="keys here: hukou"):
            create_app(SPEC, settings)

    def test_production_refuses_to_start_with_a_key_the_bundle_does_not_trust(
        self, folder: Path, tmp_path: Path
    ) -> None:
        from services.housing.app import SPEC

        rogue = tmp_path / "rogue.pem"
        init_keys(tmp_path / "rogue", ("housing",))
        rogue.write_bytes((tmp_path / "rogue" / f"housing{KEY_SUFFIX}").read_bytes())
        settings = self.production(signing_key_file=rogue, trust_bundle_file=folder / BUNDLE_FILE)

        with pytest.raises(NoSigningKey, match="none the bundle trusts"):
            create_app(SPEC, settings)

    def test_production_starts_with_its_own_key_and_the_bundle(self, folder: Path) -> None:
        from services.housing.app import SPEC

        settings = self.production(
            signing_key_file=folder / f"housing{KEY_SUFFIX}", trust_bundle_file=folder / BUNDLE_FILE
        )

        app = create_app(SPEC, settings)

        assert app.state.keyring.signing_key("housing").service == "housing"

    def test_a_key_file_that_is_no_key_is_refused(self, folder: Path, tmp_path: Path) -> None:
        garbage = tmp_path / "garbage.pem"
        garbage.write_text("not a key")
        settings = self.production(signing_key_file=garbage, trust_bundle_file=folder / BUNDLE_FILE)

        with pytest.raises(KeyProblem, match="not an unencrypted PEM private key"):
            keyring_for(settings).local_keys()
