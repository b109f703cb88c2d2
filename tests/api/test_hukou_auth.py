"""The hukou API: who may call it (401 without a good token, 403 without the scope)."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from shared.auth import AUDIENCE
from shared.keys import ALGORITHM, keyring_for
from shared.settings import Settings
from tests.api.conftest import application
from tests.api.hukou_support import (
    APPLICATIONS,
    HukouApiTests,
    approve,
    assert_nothing_written,
    fetch,
    ids,
    listed,
    reject,
    submit,
    submitted,
    this_year,
)
from tests.conftest import TokenFactory
from tests.support import WUJIANG, Headers, error_of


def crafted_token(
    settings: Settings, *, signer: str = "hukou", foreign_key: bool = False, **claims: Any
) -> Headers:
    """A token signed with `signer`'s key (or, `foreign_key`, a key under its kid that the
    bundle does not hold), its claims as given (None leaves one out)."""
    own = keyring_for(settings).signing_key(signer)
    key = Ed25519PrivateKey.generate() if foreign_key else own.private_key
    now = int(time.time())
    payload = {
        "iss": "public_security",
        "dept": "public_security",
        "scope": "settlement:read settlement:write settlement:approve",
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 600,
        "jti": "crafted",
        **claims,
    }
    payload = {name: value for name, value in payload.items() if value is not None}
    token = jwt.encode(payload, key, algorithm=ALGORITHM, headers={"kid": own.kid})
    return {"Authorization": f"Bearer {token}"}


class TestAuthorisation(HukouApiTests):
    def test_an_expired_token_is_401(self, hukou: TestClient, settings: Settings) -> None:
        past = int(time.time()) - 3600
        headers = crafted_token(settings, iat=past - 60, exp=past)

        error = error_of(hukou.get(APPLICATIONS, headers=headers), 401, "unauthenticated")

        assert "expired" in error["message"]

    @pytest.mark.parametrize(
        "forged",
        [
            pytest.param({"foreign_key": True}, id="signed_with_a_key_under_hukous_kid"),
            pytest.param({"iss": "somebody-else"}, id="from_another_issuer"),
            pytest.param({"dept": "tax"}, id="naming_an_unknown_department"),
            pytest.param({"dept": None}, id="without_a_department"),
            pytest.param({"aud": "elsewhere"}, id="for_another_audience"),
            pytest.param({"aud": None}, id="without_an_audience"),
            pytest.param({"jti": None}, id="without_an_id"),
        ],
    )
    def test_a_token_it_cannot_trust_is_401(
        self, hukou: TestClient, settings: Settings, forged: dict[str, Any]
    ) -> None:
        headers = crafted_token(settings, **forged)

        error_of(hukou.get(APPLICATIONS, headers=headers), 401, "unauthenticated")

    def test_a_token_cannot_claim_scopes_its_department_lacks(
        self, hukou: TestClient, settings: Settings
    ) -> None:
        headers = crafted_token(
            settings,
            signer="housing",
            iss="housing",
            dept="housing",
            scope="settlement:write settlement:read",
        )

        error_of(submit(hukou, headers, application()), 403, "forbidden")
        error_of(hukou.get(APPLICATIONS, headers=headers), 403, "forbidden")

    def test_housing_may_neither_submit_nor_list(
        self, hukou: TestClient, auth: TokenFactory
    ) -> None:
        housing = auth("housing")

        error = error_of(submit(hukou, housing, application()), 403, "forbidden")
        assert "settlement:write" in error["message"]
        error_of(hukou.get(APPLICATIONS, headers=housing), 403, "forbidden")
        search = hukou.post(f"{APPLICATIONS}/search", headers=housing, json={})
        error_of(search, 403, "forbidden")
        assert_nothing_written(hukou, auth("public_security"))

    def test_a_read_only_token_may_list_but_neither_submit_nor_approve(
        self, hukou: TestClient, auth: TokenFactory, officer: Headers
    ) -> None:
        reader = auth("public_security", "settlement:read")
        created = submitted(hukou, officer, application())

        error_of(submit(hukou, reader, application()), 403, "forbidden")
        error_of(approve(hukou, reader, created["id"]), 403, "forbidden")
        error_of(reject(hukou, reader, created["id"]), 403, "forbidden")
        page = listed(hukou, reader)
        assert ids(page) == {created["id"]}
        assert fetch(hukou, reader, created["id"])["status"] == "eligible"

    def test_a_writer_without_approve_scope_may_submit_but_not_approve(
        self, hukou: TestClient, auth: TokenFactory
    ) -> None:
        clerk = auth("public_security", "settlement:write", "settlement:read")
        created = submitted(hukou, clerk, application())

        error_of(approve(hukou, clerk, created["id"]), 403, "forbidden")

    def test_audit_may_read_but_not_write(
        self, hukou: TestClient, auth: TokenFactory, officer: Headers
    ) -> None:
        audit = auth("audit")
        created = submitted(hukou, officer, application())

        assert ids(listed(hukou, audit)) == {created["id"]}
        assert fetch(hukou, audit, created["id"])["id"] == created["id"]
        error_of(submit(hukou, audit, application()), 403, "forbidden")
        error_of(approve(hukou, audit, created["id"]), 403, "forbidden")
        error_of(reject(hukou, audit, created["id"]), 403, "forbidden")
        put = hukou.put(
            f"/v1/settlement-targets/{this_year()}/{WUJIANG}",
            headers=audit,
            json={"target_persons": 1},
        )
        error_of(put, 403, "forbidden")
        assert fetch(hukou, officer, created["id"])["status"] == "eligible"
        assert listed(hukou, officer)["total"] == 1
