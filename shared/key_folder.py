"""The folder of keys `luohu keys` keeps: make the missing ones, rotate, retire, merge.

In development it holds every key holder's private key (`<holder>.key.pem`, mode 0600) and the
trust bundle (`trust.jwks.json`); a bureau making its own keys keeps one like it with only its
services'. Writes are atomic and one at a time (`luohu run` starts every service at once).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from shared.keys import (
    BUNDLE_FILE,
    HOLDERS,
    KEY_SUFFIX,
    KeyProblem,
    TrustBundle,
    TrustedKey,
    new_kid,
    private_pem,
    read_private_key,
)


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    """Write `data` to `path` whole or not at all, never readable beyond `mode` meanwhile."""
    descriptor, scratch = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(scratch, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(scratch)
        raise


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One writer at a time: `luohu run` starts every service at once."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with (folder / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _bundle_in(folder: Path) -> TrustBundle:
    path = folder / BUNDLE_FILE
    return TrustBundle.read(path) if path.exists() else TrustBundle()


def _add_key(folder: Path, bundle: TrustBundle, service: str) -> tuple[TrustBundle, str]:
    """A new key for `service`: into the bundle first, then its private half in place, so the
    bundle never lacks the key a service signs with."""
    private_key = Ed25519PrivateKey.generate()
    kid = new_kid(service, private_key.public_key())
    entry = TrustedKey(kid, service, HOLDERS[service], private_key.public_key())
    bundle = bundle.with_key(entry)
    _write_atomically(folder / BUNDLE_FILE, bundle.to_json().encode(), 0o644)
    _write_atomically(folder / f"{service}{KEY_SUFFIX}", private_pem(private_key), 0o600)
    return bundle, kid


def init_keys(folder: Path, only: tuple[str, ...] | None = None) -> list[str]:
    """Give every key holder (or those of `only`) a key in `folder` where it has none, and the
    bundle; nothing that exists is replaced. The new keys' ids."""
    wanted = only or tuple(HOLDERS)
    unknown = sorted(set(wanted) - set(HOLDERS))
    if unknown:
        raise KeyProblem(f"no such key holder: {', '.join(unknown)}; one of: {', '.join(HOLDERS)}")
    path = folder / BUNDLE_FILE
    if path.exists() and all((folder / f"{s}{KEY_SUFFIX}").exists() for s in wanted):
        return []  # the common case, without taking the lock
    created: list[str] = []
    with _locked(folder):
        bundle = _bundle_in(folder)
        for service in wanted:
            key_file = folder / f"{service}{KEY_SUFFIX}"
            if key_file.exists():
                if bundle.holding(read_private_key(key_file)) is None:
                    raise KeyProblem(f"{key_file} is not in {path}: rotate {service}'s key")
                continue
            bundle, kid = _add_key(folder, bundle, service)
            created.append(kid)
        if not path.exists():
            _write_atomically(path, bundle.to_json().encode(), 0o644)
    return created


def rotate_key(folder: Path, service: str) -> str:
    """A new key for `service`, which signs from now on; its old keys stay in the bundle, so
    what they signed still verifies until `retire_keys`, and the replaced private key stays
    beside it (`<kid>.key.pem`), so what was sealed to it still opens. The new key's id."""
    if service not in HOLDERS:
        raise KeyProblem(f"no such key holder: {service}; one of: {', '.join(HOLDERS)}")
    with _locked(folder):
        bundle = _bundle_in(folder)
        current = folder / f"{service}{KEY_SUFFIX}"
        if current.exists():
            replaced = bundle.holding(read_private_key(current))
            if replaced is not None:
                os.replace(current, folder / f"{replaced.kid}{KEY_SUFFIX}")
        _, kid = _add_key(folder, bundle, service)
    return kid


def retire_keys(folder: Path, service: str) -> list[str]:
    """Take every key of `service` but its newest out of the bundle, and their private halves
    out of the folder: what they signed is refused from then on, and nothing sealed to them
    opens. The retired keys' ids."""
    with _locked(folder):
        bundle = _bundle_in(folder)
        old = [key.kid for key in bundle.of_service(service)[:-1]]
        if old:
            bundle = bundle.without(set(old))
            _write_atomically(folder / BUNDLE_FILE, bundle.to_json().encode(), 0o644)
            for kid in old:
                (folder / f"{kid}{KEY_SUFFIX}").unlink(missing_ok=True)
    return old


def merge_bundles(*bundles: TrustBundle) -> TrustBundle:
    """One bundle of every key of `bundles` (each bureau's own), in the order given."""
    merged = TrustBundle()
    for bundle in bundles:
        for key in bundle.keys:
            known = merged.get(key.kid)
            if known is None:
                merged = merged.with_key(key)
            elif known != key:
                raise KeyProblem(f"two different keys are named {key.kid}")
    return merged
