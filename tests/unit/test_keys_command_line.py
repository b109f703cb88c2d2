"""`luohu keys` (init, rotate, retire, list, merge) and `luohu token` on the command line."""

from __future__ import annotations

from pathlib import Path

import jwt
from typer.testing import CliRunner, Result

from shared.cli import app as cli_app
from shared.events.signing import sign_bytes, verify_bytes
from shared.key_folder import init_keys
from shared.keys import BUNDLE_FILE, HOLDERS, KEY_SUFFIX, TrustBundle, keyring_for
from shared.settings import Settings


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

    def public_security_token_where_only(self, holder: str, folder: Path) -> Result:
        """`luohu token --dept public_security` on a machine holding only `holder`'s signing key
        (from a folder `keys init` made) and the trust bundle."""
        init_keys(folder)
        environment = {
            "LUOHU_SIGNING_KEY_FILE": str(folder / f"{holder}{KEY_SUFFIX}"),
            "LUOHU_TRUST_BUNDLE_FILE": str(folder / BUNDLE_FILE),
        }
        return self.runner.invoke(cli_app, ["token", "--dept", "public_security"], env=environment)

    def test_token_signs_with_the_departments_local_key(self, tmp_path: Path) -> None:
        result = self.public_security_token_where_only("residence_permit", tmp_path)

        assert result.exit_code == 0, result.output
        header = jwt.get_unverified_header(result.output.strip())
        assert header["kid"].startswith("residence_permit-")

    def test_token_for_a_department_without_a_local_key_fails_clearly(self, tmp_path: Path) -> None:
        """Where only housing's key is, no public security token can be had."""
        result = self.public_security_token_where_only("housing", tmp_path)

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
