"""Asks the residence permit service for an applicant's permit history (evidence, 三(九))."""

from __future__ import annotations

import logging
from datetime import date

import httpx

from services.hukou.domain import PermitHistory
from shared.auth import issue_token
from shared.settings import Settings

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0


def fetch_permit_history(base_url: str, settings: Settings, id_number: str) -> PermitHistory:
    """The applicant's permits in the city; `available=False` when the service does not answer.

    Services meet only through the contract: this is the residence permit service's
    `POST /v1/residence-history` (the identity number in the body, never in a URL), called
    with public security's own token.
    """
    token = issue_token(settings, dept="public_security", scopes=["permit:read"], lifetime=60)
    try:
        answer = httpx.post(
            f"{base_url.rstrip('/')}/v1/residence-history",
            json={"id_number": id_number},
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT_SECONDS,
        )
        answer.raise_for_status()
        history = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("the residence permit history could not be read: %s", type(exc).__name__)
        return PermitHistory(available=False)
    earliest = history.get("earliest_resident_since")
    return PermitHistory(
        available=True,
        earliest_resident_since=date.fromisoformat(earliest) if earliest else None,
        permits=len(history.get("permits", [])),
    )
