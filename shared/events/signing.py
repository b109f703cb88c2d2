"""Signed events (docs/contract.md, "Trust between bureaus"): no bureau can speak for another.

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

from dataclasses import dataclass

import jwt

from shared.events.bus import Message, Record
from shared.keys import ALGORITHM, KeyProblem, Keyring, TrustedKey, UntrustedSignature
from shared.registry import SERVICES

SIGNATURE_HEADER = "luohu-signature"
_DOMAIN = b"luohu-event-v1"


class EventRejected(Exception):
    """An event whose signature does not prove it comes from a producer of its type."""


def sign_bytes(keyring: Keyring, service: str, data: bytes) -> str:
    """A detached JWS (RFC 7515, appendix F) of `data` by `service`'s newest local key."""
    key = keyring.signing_key(service)
    return jwt.api_jws.encode(
        data,
        key.private_key,
        algorithm=ALGORITHM,
        headers={"kid": key.kid},
        is_payload_detached=True,
    )


def verify_bytes(keyring: Keyring, data: bytes, signature: str) -> TrustedKey:
    """The bundle's key that signed `data` (`.service` is the signer), or UntrustedSignature."""
    try:
        header = jwt.get_unverified_header(signature)
    except jwt.PyJWTError as exc:
        raise UntrustedSignature(f"the signature is malformed: {exc}") from exc
    kid = header.get("kid")
    key = keyring.bundle().get(kid) if isinstance(kid, str) else None
    if key is None:
        raise UntrustedSignature(f"signed by key {kid!r}, which the trust bundle does not hold")
    try:
        jwt.api_jws.decode_complete(
            signature, key.public_key, algorithms=[ALGORITHM], detached_payload=data
        )
    except jwt.PyJWTError as exc:
        raise UntrustedSignature(f"the signature by {kid} does not verify: {exc}") from exc
    return key


@dataclass(frozen=True)
class EventSigner:
    """Signs what a service publishes with the newest of its own keys (shared/keys.py)."""

    keyring: Keyring
    service: str

    def sign(self, message: Message) -> Message:
        """The message with its signature; one already signed (a dead letter) is kept as it is."""
        if SIGNATURE_HEADER in message.headers:
            return message
        signature = sign_bytes(
            self.keyring, self.service, _signed_bytes(message.key, message.value)
        )
        headers = {**message.headers, SIGNATURE_HEADER: signature.encode()}
        return Message(message.topic, message.key, message.value, headers)


@dataclass(frozen=True)
class EventVerifier:
    """Who signed a record, by the trust bundle (read again when it changes), and may it have."""

    keyring: Keyring

    def signer_of(self, record: Record) -> str:
        """The service whose key signed the record, or `EventRejected` saying why not."""
        raw = record.headers.get(SIGNATURE_HEADER)
        if raw is None:
            raise EventRejected("the event is not signed")
        try:
            signature = raw.decode("ascii")
            trusted = verify_bytes(self.keyring, _signed_bytes(record.key, record.value), signature)
        except UnicodeDecodeError as exc:
            raise EventRejected(f"the signature cannot be read: {exc}") from exc
        except KeyProblem as exc:
            raise EventRejected(str(exc)) from exc
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
