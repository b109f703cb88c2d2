"""Sections of one event sealed to each recipient: what a department may not read, it cannot.

An event that carries personal data for several departments carries it once per recipient, in
a section only that recipient can open (PIPL art. 6, minimum necessary): the event's `data`
keeps in clear what every reader may see, and `sealed` maps each recipient service to
`{"kid": ..., "box": ...}`, its section as JSON in a libsodium sealed box (X25519 and
XSalsa20-Poly1305, anonymous sender) to that service's key. Opening yields the clear fields
with the recipient's own section beside them, which is all it ever holds of the event.

The keys are the services' own signing keys (shared/keys.py), read as X25519 keys the way
libsodium converts Ed25519 ones (`crypto_sign_ed25519_pk_to_curve25519`), so the trust bundle
that names whose signature is whose also names to whom a section is sealed, rotation included:
a section is sealed to the newest key of its recipient, and opened with whichever of the
recipient's keys its `kid` names. A box says nothing of who sealed it: the event's signature
(shared/events/signing.py), checked before anything is opened, is what proves hukou wrote it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives import serialization
from nacl.exceptions import CryptoError
from nacl.public import SealedBox
from nacl.signing import SigningKey, VerifyKey

from shared.keys import KeyProblem, Keyring, TrustBundle, b64url, from_b64url

SEALED = "sealed"
"""The field of an event's data that holds its sealed sections."""


class CannotOpen(KeyProblem):
    """An event with no section for this service, or one this service cannot open; says why."""


def seal(
    clear: Mapping[str, Any], sections: Mapping[str, Mapping[str, Any]], bundle: TrustBundle
) -> dict[str, Any]:
    """An event's data: `clear` as it is, and each recipient's section sealed to its key."""
    overlap = sorted({name for section in sections.values() for name in section} & set(clear))
    if overlap:
        raise ValueError(f"a sealed section may not repeat a clear field: {', '.join(overlap)}")
    return {
        **clear,
        SEALED: {
            service: _seal_to(bundle, service, json.dumps(section, separators=(",", ":")))
            for service, section in sections.items()
        },
    }


def open_section(data: Mapping[str, Any], keyring: Keyring, service: str) -> dict[str, Any]:
    """The clear fields of an event's data with `service`'s own section read into them."""
    sealed = data.get(SEALED)
    if not isinstance(sealed, Mapping):
        raise CannotOpen("the event carries no sealed sections: its personal data is not sealed")
    mine = sealed.get(service)
    if not isinstance(mine, Mapping) or not isinstance(mine.get("kid"), str):
        raise CannotOpen(f"the event has no section sealed to {service}")
    section = json.loads(_open(keyring, service, mine["kid"], str(mine.get("box", ""))))
    if not isinstance(section, dict) or set(section) & set(data):
        raise CannotOpen(f"the section sealed to {service} is not an object of its own fields")
    clear = {name: value for name, value in data.items() if name != SEALED}
    return {**clear, **section}


def _seal_to(bundle: TrustBundle, service: str, plaintext: str) -> dict[str, str]:
    keys = bundle.of_service(service)
    if not keys:
        raise KeyProblem(f"the trust bundle holds no key of {service}: nothing can be sealed to it")
    newest = keys[-1]
    public = VerifyKey(newest.public_key.public_bytes_raw()).to_curve25519_public_key()
    box = SealedBox(public).encrypt(plaintext.encode())
    return {"kid": newest.kid, "box": b64url(box)}


def _open(keyring: Keyring, service: str, kid: str, box: str) -> bytes:
    key = next((k for k in keyring.local_keys() if k.service == service and k.kid == kid), None)
    if key is None:
        raise CannotOpen(f"the section of {service} is sealed to key {kid}, not held here")
    seed = key.private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    try:
        sealed = from_b64url(box)
        return SealedBox(SigningKey(seed).to_curve25519_private_key()).decrypt(sealed)
    except (ValueError, CryptoError) as exc:
        raise CannotOpen(f"the section of {service} does not open with key {kid}") from exc
