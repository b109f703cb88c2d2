"""The console's sign-in: an official acts as their department, with its token and no more."""

from __future__ import annotations

from fastapi.testclient import TestClient

from services.coordination.console.session import COOKIE
from shared.auth import decode_token
from shared.registry import DEPARTMENT_SCOPES
from tests.api.console_support import ORIGIN, console, links_of, signed_in
from tests.conftest import TokenFactory

__all__ = ["console"]


def test_a_page_sends_the_unsigned_to_the_sign_in_and_back(console: TestClient) -> None:
    answer = console.get("/console/me?x=1", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/sign-in?next=/console/me%3Fx%3D1"


def test_the_development_sign_in_offers_the_departments_whose_keys_are_here(
    console: TestClient,
) -> None:
    page = console.get("/console/sign-in").text
    assert 'lang="zh-CN"' in page
    assert "市人社局" in page and "落户工作协调机制" in page


def test_signing_in_keeps_the_departments_own_token_and_nothing_more(console: TestClient) -> None:
    signed_in(console, "human_resources", officer="rs-0042")
    token = console.cookies[COOKIE]
    principal = decode_token(console.app.state.keyring, token)  # type: ignore[attr-defined]
    assert principal.dept == "human_resources"
    assert principal.officer == "rs-0042"
    assert principal.scopes == DEPARTMENT_SCOPES["human_resources"]
    page = console.get("/console/me").text
    assert "市人社局" in page and "rs-0042" in page and "pension:write" in page


def test_the_cookie_is_http_only_and_strict(console: TestClient) -> None:
    answer = console.post(
        "/console/sign-in", data={"dept": "housing"}, headers=ORIGIN, follow_redirects=False
    )
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie
    assert answer.headers["location"] == "/console/"


def test_a_bad_staff_number_is_shown_beside_its_field(console: TestClient) -> None:
    answer = console.post(
        "/console/sign-in", data={"dept": "housing", "officer": "王 五"}, headers=ORIGIN
    )
    assert answer.status_code == 422
    assert 'id="officer-error"' in answer.text and 'aria-invalid="true"' in answer.text
    assert COOKIE not in console.cookies


def test_an_unknown_department_is_refused(console: TestClient) -> None:
    answer = console.post("/console/sign-in", data={"dept": "mayor"}, headers=ORIGIN)
    assert answer.status_code == 422 and 'id="dept-error"' in answer.text


def test_a_form_from_another_site_is_refused(console: TestClient) -> None:
    answer = console.post(
        "/console/sign-in", data={"dept": "housing"}, headers={"Origin": "https://evil.example"}
    )
    assert answer.status_code == 403
    assert COOKIE not in console.cookies


def test_without_the_development_sign_in_no_token_is_signed(console: TestClient) -> None:
    console.app.state.settings = console.app.state.settings.model_copy(  # type: ignore[attr-defined]
        update={"console_dev_signin": False}
    )
    assert "统一身份认证" in console.get("/console/sign-in").text
    answer = console.post("/console/sign-in", data={"dept": "housing"}, headers=ORIGIN)
    assert answer.status_code == 422 and COOKIE not in console.cookies


def test_a_gateways_bearer_token_signs_the_official_in(
    console: TestClient, auth: TokenFactory
) -> None:
    headers = auth("education")
    page = console.get("/console/me", headers=headers)
    assert page.status_code == 200 and "市教育局" in page.text


def test_a_forged_cookie_is_no_sign_in(console: TestClient) -> None:
    console.cookies.set(COOKIE, "not.a.token", path="/console")
    assert console.get("/console/me", follow_redirects=False).status_code == 303


def test_signing_out_forgets_the_token(console: TestClient) -> None:
    signed_in(console, "housing")
    answer = console.post("/console/sign-out", headers=ORIGIN, follow_redirects=False)
    assert answer.status_code == 303
    assert console.get("/console/me", follow_redirects=False).status_code == 303


def test_the_pages_load_nothing_from_outside(console: TestClient) -> None:
    signed_in(console, "coordination")
    for path in ("/console/sign-in", "/console/me"):
        for link in links_of(console.get(path).text):
            assert link.startswith(("/console/", "#")), (path, link)
    assert console.get("/console/static/console.css").status_code == 200
