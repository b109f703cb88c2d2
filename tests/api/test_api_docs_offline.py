"""Every service's API documentation (Swagger UI at /docs, ReDoc at /redoc) is served whole by
the service itself: a government network reaches no CDN, no Google font, no online validator.
The pages name only paths of their own service, and each of those answers, without a token,
with what the page loads it as."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from shared.registry import SERVICES
from tests.api.conftest import Services

PAGES = ("/docs", "/redoc")

EXPECTED_TYPES = {
    "script": "text/javascript",
    "stylesheet": "text/css",
    "icon": "image/png",
    "document": "application/json",
}
"""The media type each kind of reference must answer with."""


class References(HTMLParser):
    """The page's references, each as (kind, address): scripts, stylesheets, the icon, and the
    OpenAPI document ReDoc reads (`<redoc spec-url>`)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {name: value or "" for name, value in attrs}
        if tag == "script" and "src" in given:
            self.found.append(("script", given["src"]))
        elif tag == "link":
            kind = "stylesheet" if given.get("rel") == "stylesheet" else "icon"
            self.found.append((kind, given["href"]))
        elif tag == "redoc":
            self.found.append(("document", given["spec-url"]))


def references(html: str) -> list[tuple[str, str]]:
    """Every address the page loads: its tags', and the document Swagger UI's script asks for."""
    parser = References()
    parser.feed(html)
    swagger_document = re.findall(r"\burl: '([^']*)'", html)
    return [*parser.found, *(("document", url) for url in swagger_document)]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("service", [s.name for s in SERVICES])
def test_the_docs_load_only_the_services_own_assets(
    services: Services, service: str, page: str
) -> None:
    client = services(service)
    answer = client.get(page)
    assert answer.status_code == 200, answer.text
    html = answer.text

    # No absolute or protocol-relative address anywhere: not in a tag, not in the script.
    assert re.findall(r"https?://|['\"(]//", html) == []
    found = references(html)
    kinds = {kind for kind, _ in found}
    assert kinds == {"script", "icon", "document"} | ({"stylesheet"} if page == "/docs" else set())
    for kind, address in found:
        assert address.startswith("/") and not address.startswith("//"), address
        asset = client.get(address)  # no token: the guard asks for one under /v1/ only
        assert asset.status_code == 200, (address, asset.status_code)
        assert asset.headers["content-type"].startswith(EXPECTED_TYPES[kind]), (address, kind)
        assert asset.content, address


def test_redoc_asks_for_no_google_font_and_swagger_for_no_validator(services: Services) -> None:
    """Both would reach outside: ReDoc's fonts from Google, Swagger UI's validator badge from
    validator.swagger.io on any host but localhost (so a browser test on 127.0.0.1 misses it)."""
    client = services("coordination")
    assert "fonts.googleapis" not in client.get("/redoc").text
    assert '"validatorUrl": null' in client.get("/docs").text
