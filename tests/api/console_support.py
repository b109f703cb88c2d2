"""The console in-process: the office's app with the development sign-in on, and an official
signed in through it as a browser would (a form posted from the console's own origin)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from shared.settings import Settings
from tests.api.conftest import spec_of

ORIGIN = {"Origin": "http://testserver"}


@pytest.fixture
def console(settings: Settings) -> Iterator[TestClient]:
    """The coordination office with the development sign-in, its consumer left to the test."""
    quiet = settings.model_copy(update={"start_workers": False, "console_dev_signin": True})
    with TestClient(spec_of("coordination").build(quiet)) as client:
        yield client


def signed_in(client: TestClient, dept: str, officer: str | None = None) -> TestClient:
    """`client` with `dept`'s official signed in (its cookie kept by the client)."""
    form = {"dept": dept, "officer": officer or "", "next": "/console/me"}
    answer = client.post("/console/sign-in", data=form, headers=ORIGIN, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return client


def links_of(html: str) -> list[str]:
    """Every address a page makes the browser load or follow (src, href, action)."""
    return re.findall(r'(?:src|href|action)="([^"]*)"', html)
