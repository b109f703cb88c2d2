"""Asks the residence permit service for an applicant's permit history (evidence, 三(九))."""

from __future__ import annotations

import logging
from datetime import date

import httpx

from services.hukou.domain import PermitHistory
from shared.auth import sign_token
from shared.keys import Keyring

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0


def fetch_permit_history(base_url: str, keyring: Keyring, id_number: str) -> PermitHistory:
    """The applicant's permits in the city; `available=False` when the service does not answer.

    Services meet only through the contract: this is the residence permit service's
    `POST /v1/residence-history` (the identity number in the body, never in a URL), called
    as hukou itself: a public security token signed with hukou's own key.
    """
    token = sign_token(keyring.signing_key("hukou"), scopes=["permit:read"], lifetime=60)
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
