"""Signing keys and the trust bundle: who holds which key, rotation, bytes signed and checked,
what production needs, and `luohu keys` / `luohu token` on the command line."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from shared.cli import app as cli_app
from shared.events.signing import sign_bytes, verify_bytes
from shared.key_folder import init_keys, retire_keys, rotate_key
from shared.keys import (
    BUNDLE_FILE,
    HOLDERS,
    KEY_SUFFIX,
    KeyProblem,
    NoSigningKey,
    TrustBundle,
    TrustedKey,
    UntrustedSignature,
    keyring_for,
)
from shared.registry import DEPARTMENT_SCOPES, SERVICES
from shared.service import create_app
from shared.settings import Settings

KID = re.compile(r"(?P<service>[a-z_]+)-(?P<day>\d{8})-(?P<hash>[0-9a-f]{8})")


def settings_on(folder: Path) -> Settings:
    return Settings(_env_file=None, environment="test", keys_dir=folder)


def bundle_document(folder: Path) -> dict[str, list[dict[str, str]]]:
    document: dict[str, list[dict[str, str]]] = json.loads((folder / BUNDLE_FILE).read_text())
    return document


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

    def test_a_bundle_holding_a_private_key_is_refused(self, tmp_path: Path) -> None:
        init_keys(tmp_path)
        document = bundle_document(tmp_path)
        document["keys"][0]["d"] = "c2VjcmV0"

        with pytest.raises(KeyProblem, match="public keys only"):
            TrustBundle.from_json(json.dumps(document))

    def test_a_bundle_of_another_kind_of_key_is_refused(self, tmp_path: Path) -> None:
        init_keys(tmp_path)
        document = bundle_document(tmp_path)
        document["keys"][0]["alg"] = "HS256"

        with pytest.raises(KeyProblem, match="EdDSA"):
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


class TestTheCommandLine:
    runner = CliRunner()

    def test_keys_init_is_idempotent(self, tmp_path: Path) -> None:
        first = self.runner.invoke(cli_app, ["keys", "init", "--dir", str(tmp_path)])
        again = self.runner.invoke(cli_app, ["keys", "init", "--dir", str(tmp_path)])

        assert first.exit_code == 0, first.output
        assert f"{len(HOLDERS)} key(s) created" in first.output
        assert again.exit_code == 0 and "0 key(s) created" in again.output

    def test_keys_rotate_and_retire(self, tmp_path: Path) -> None:
        init_keys(tmp_path)
        (old,) = [k.kid for k in TrustBundle.read(tmp_path / BUNDLE_FILE).of_service("housing")]

        rotated = self.runner.invoke(cli_app, ["keys", "rotate", "housing", "--dir", str(tmp_path)])
        listed = self.runner.invoke(cli_app, ["keys", "list", "--dir", str(tmp_path)])
        retired = self.runner.invoke(cli_app, ["keys", "retire", "housing", "--dir", str(tmp_path)])

        assert rotated.exit_code == 0 and "housing now signs with housing-" in rotated.output
        assert listed.output.count(" housing  housing") == 2
        assert retired.exit_code == 0 and f"retired {old}" in retired.output

    def test_each_bureaus_keys_merge_into_the_platforms_bundle(self, tmp_path: Path) -> None:
        """Each bureau makes its services' keys on its own machine; the bundles merge."""
        init_keys(tmp_path / "public-security", ("hukou", "residence_permit"))
        init_keys(tmp_path / "housing", ("housing",))
        bundles = [
            str(tmp_path / bureau / BUNDLE_FILE) for bureau in ("public-security", "housing")
        ]

        merged = self.runner.invoke(cli_app, ["keys", "merge", *bundles])

        assert merged.exit_code == 0, merged.output
        bundle = TrustBundle.from_json(merged.output)
        assert [key.service for key in bundle.keys] == ["hukou", "residence_permit", "housing"]
        (tmp_path / "platform.jwks.json").write_text(merged.output)
        settings = Settings(
            _env_file=None,
            environment="production",
            signing_key_file=tmp_path / "housing" / f"housing{KEY_SUFFIX}",
            trust_bundle_file=tmp_path / "platform.jwks.json",
        )
        keyring = keyring_for(settings)
        assert verify_bytes(keyring, b"x", sign_bytes(keyring, "housing", b"x")).dept == "housing"

    def test_keys_rotate_of_an_unknown_service_fails_clearly(self, tmp_path: Path) -> None:
        result = self.runner.invoke(cli_app, ["keys", "rotate", "tax", "--dir", str(tmp_path)])

        assert result.exit_code == 1
        assert "no such key holder: tax" in result.output

    def test_token_signs_with_the_departments_local_key(self, tmp_path: Path) -> None:
        init_keys(tmp_path)
        environment = {
            "LUOHU_SIGNING_KEY_FILE": str(tmp_path / f"residence_permit{KEY_SUFFIX}"),
            "LUOHU_TRUST_BUNDLE_FILE": str(tmp_path / BUNDLE_FILE),
        }

        result = self.runner.invoke(
            cli_app, ["token", "--dept", "public_security"], env=environment
        )

        assert result.exit_code == 0, result.output
        header = jwt.get_unverified_header(result.output.strip())
        assert header["kid"].startswith("residence_permit-")

    def test_token_for_a_department_without_a_local_key_fails_clearly(self, tmp_path: Path) -> None:
        """Where only housing's key is, no public security token can be had."""
        init_keys(tmp_path)
        environment = {
            "LUOHU_SIGNING_KEY_FILE": str(tmp_path / f"housing{KEY_SUFFIX}"),
            "LUOHU_TRUST_BUNDLE_FILE": str(tmp_path / BUNDLE_FILE),
        }

        result = self.runner.invoke(
            cli_app, ["token", "--dept", "public_security"], env=environment
        )

        assert result.exit_code == 1
        assert "cannot sign for public_security" in result.output
        assert "no signing key of department public_security here" in result.output
        assert "housing (housing)" in result.output, "it says which keys are here"
        assert result.output.count(".") < 2, "no token printed"

    def test_token_refuses_a_lifetime_beyond_eight_hours(self, tmp_path: Path) -> None:
        init_keys(tmp_path)
        result = self.runner.invoke(
            cli_app,
            ["token", "--dept", "housing", "--lifetime", str(9 * 3600)],
            env={"LUOHU_KEYS_DIR": str(tmp_path)},
        )

        assert result.exit_code == 2
        assert "1 to 28800 seconds" in result.output

    def test_token_before_any_key_exists_says_how_to_make_them(self, tmp_path: Path) -> None:
        result = self.runner.invoke(
            cli_app, ["token", "--dept", "housing"], env={"LUOHU_KEYS_DIR": str(tmp_path)}
        )

        assert result.exit_code == 1
        assert "luohu keys init" in result.output
        assert not (tmp_path / BUNDLE_FILE).exists(), "a client makes no keys of its own"


def test_a_trusted_key_knows_its_jwk() -> None:
    key = Ed25519PrivateKey.generate().public_key()
    entry = TrustedKey("housing-20240101-00000000", "housing", "housing", key)

    assert TrustedKey.from_jwk(entry.to_jwk()) == entry
