"""Signed events (CONTRACT.md, "Trust between bureaus"): no bureau can speak for another.

Every message a service publishes carries, in its `luohu-signature` header, a JWS (RFC 7515,
EdDSA, the payload detached and unencoded as RFC 7797 allows) made with the service's own key
over the message's key and its whole value, the CloudEvent with its type, source, id, subject
and data. A consumer verifies it against the trust bundle before any handler runs, and accepts
the event only from a service the registry names as a producer of its type: a housing report
signed by education's key, an approval signed by anyone but hukou, an event with no signature or
a signature that does not match its bytes are refused, dead-lettered with the reason, and never
applied.

A dead letter keeps its producer's signature (the relay signs only what carries none), so a
replay is verified as the original was.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.events.bus import Message, Record
from shared.registry import SERVICES

SIGNATURE_HEADER = "luohu-signature"
ALGORITHM = "EdDSA"
_DOMAIN = b"luohu-event-v1"


class EventRejected(Exception):
    """An event whose signature does not prove it comes from a producer of its type."""


@dataclass(frozen=True)
class EventSigner:
    """A service's own signing key, and the id its public key has in the trust bundle."""

    service: str
    kid: str
    key: Ed25519PrivateKey

    def sign(self, message: Message) -> Message:
        """The message with its signature; one already signed (a dead letter) is kept as it is."""
        if SIGNATURE_HEADER in message.headers:
            return message
        signature = jwt.api_jws.encode(
            _signed_bytes(message.key, message.value),
            self.key,
            algorithm=ALGORITHM,
            headers={"kid": self.kid, "typ": "luohu-event"},
            is_payload_detached=True,
        )
        headers = {**message.headers, SIGNATURE_HEADER: signature.encode()}
        return Message(message.topic, message.key, message.value, headers)


@dataclass(frozen=True)
class TrustedKey:
    """A public key of the trust bundle and the service it belongs to."""

    service: str
    key: Ed25519PublicKey


@dataclass(frozen=True)
class EventVerifier:
    """The trust bundle's public keys by key id: who signed a record, and may it have."""

    keys: Mapping[str, TrustedKey]

    def signer_of(self, record: Record) -> str:
        """The service whose key signed the record, or `EventRejected` saying why not."""
        raw = record.headers.get(SIGNATURE_HEADER)
        if raw is None:
            raise EventRejected("the event is not signed")
        try:
            signature = raw.decode("ascii")
            header = jwt.get_unverified_header(signature)
        except (UnicodeDecodeError, jwt.PyJWTError) as exc:
            raise EventRejected(f"the signature cannot be read: {exc}") from exc
        kid = header.get("kid")
        trusted = self.keys.get(kid) if isinstance(kid, str) else None
        if trusted is None:
            raise EventRejected(f"the event is signed with a key not in the trust bundle ({kid!r})")
        try:
            jwt.api_jws.decode_complete(
                signature,
                trusted.key,
                algorithms=[ALGORITHM],
                detached_payload=_signed_bytes(record.key, record.value),
            )
        except jwt.PyJWTError as exc:
            raise EventRejected(f"the signature does not match the event: {exc}") from exc
        return trusted.service

    def check(self, record: Record, event_type: str) -> str:
        """The signer, when the registry names it a producer of `event_type`; else rejected."""
        signer = self.signer_of(record)
        producers = producers_of(event_type)
        if signer not in producers:
            allowed = ", ".join(sorted(producers)) or "no service"
            raise EventRejected(f"{event_type} signed by {signer}: only {allowed} may publish it")
        return signer


def producers_of(event_type: str) -> frozenset[str]:
    """The services the registry names as producing `event_type`."""
    return frozenset(s.name for s in SERVICES if event_type in s.produces)


def _signed_bytes(key: str | None, value: bytes) -> bytes:
    # The key binds the event to its settlement's partition; the value is the whole event.
    return b"\n".join((_DOMAIN, (key or "").encode(), value))
