"""Each service's own signing key, and the trust bundle that names every key's owner.

No secret is shared between bureaus. Every service holds an Ed25519 private key of its own;
the trust bundle (a JWKS document, public halves only) lists every key with the service and
the department it belongs to, so whatever a key signs speaks for that department and no other.
The departments that call in without a service of their own (finance, audit, ...) hold a key
under their department's name.

Rotation: a service's new key joins the bundle beside the old one; its signer uses the newest;
once nothing signed by the old one is still valid (8 hours for a token), the old one leaves
the bundle (`luohu keys retire`) and what it signed is refused.

Files: in development (`make run`, tests) one folder holds every private key
(`<service>.key.pem`, mode 0600) and `trust.jwks.json`, created on first use
(shared/key_folder.py); in production a service holds only its own private key
(LUOHU_SIGNING_KEY_FILE; during a rotation the one it replaced too,
LUOHU_PREVIOUS_SIGNING_KEY_FILE) and the bundle (LUOHU_TRUST_BUNDLE_FILE).

The same key opens what is sealed to the service (shared/events/sealing.py): a replaced key is
kept until it is retired, so a section sealed to it before the rotation still opens.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared import clock
from shared.registry import DEPARTMENT_SCOPES, SERVICES
from shared.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

ALGORITHM = "EdDSA"
BUNDLE_FILE = "trust.jwks.json"
KEY_SUFFIX = ".key.pem"


def _key_holders() -> Mapping[str, str]:
    holders = {service.name: service.department for service in SERVICES}
    served = set(holders.values())
    holders |= {dept: dept for dept in DEPARTMENT_SCOPES if dept not in served}
    return MappingProxyType(holders)


HOLDERS: Mapping[str, str] = _key_holders()
"""Who holds a signing key, and for which department: every service of the registry, then each
department that calls in without a service of its own (under its department's name)."""


class KeyProblem(Exception):
    """A key, a bundle or a signature that cannot be used or trusted; the message says why."""


class NoSigningKey(KeyProblem):
    """This machine holds no private key for what was asked."""


class UntrustedSignature(KeyProblem):
    """A signature by no key of the bundle, or one that does not verify."""


# --- the trust bundle -----------------------------------------------------------------------


def b64url(data: bytes) -> str:
    """Base64url without padding (RFC 7515, section 2), as JWKs and sealed boxes are written."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def new_kid(service: str, public_key: Ed25519PublicKey) -> str:
    """`<service>-<yyyymmdd>-<short hash>`: whose, made when, and which of that day's keys."""
    fingerprint = hashlib.sha256(_raw(public_key)).hexdigest()[:8]
    return f"{service}-{clock.today():%Y%m%d}-{fingerprint}"


@dataclass(frozen=True)
class TrustedKey:
    """One key of the bundle: its id, the service holding its private half, that department."""

    kid: str
    service: str
    dept: str
    public_key: Ed25519PublicKey

    def to_jwk(self) -> dict[str, str]:
        return {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": b64url(_raw(self.public_key)),
            "kid": self.kid,
            "alg": ALGORITHM,
            "use": "sig",
            "service": self.service,
            "dept": self.dept,
        }

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> TrustedKey:
        kid = jwk.get("kid")
        if not isinstance(kid, str) or not kid:
            raise KeyProblem("a key of the trust bundle has no kid")
        if (jwk.get("kty"), jwk.get("crv")) != ("OKP", "Ed25519") or jwk.get(
            "alg", ALGORITHM
        ) != ALGORITHM:
            raise KeyProblem(f"key {kid} of the trust bundle is not an Ed25519 (EdDSA) key")
        if "d" in jwk:
            raise KeyProblem(f"key {kid}: a trust bundle holds public keys only, never a private")
        service, dept = jwk.get("service"), jwk.get("dept")
        if service not in HOLDERS:
            raise KeyProblem(f"key {kid} belongs to {service!r}, which holds no key here")
        if dept != HOLDERS[str(service)]:
            raise KeyProblem(
                f"key {kid} of {service} is said to be {dept!r}'s, but {service} is "
                f"{HOLDERS[str(service)]}'s"
            )
        try:
            public_key = Ed25519PublicKey.from_public_bytes(from_b64url(str(jwk.get("x", ""))))
        except ValueError as exc:
            raise KeyProblem(f"key {kid} of the trust bundle is not a valid public key") from exc
        return cls(kid=kid, service=str(service), dept=str(dept), public_key=public_key)


@dataclass(frozen=True)
class TrustBundle:
    """Every key the platform trusts, in the order they were added (a service's newest last)."""

    keys: tuple[TrustedKey, ...] = ()

    def __post_init__(self) -> None:
        kids = [key.kid for key in self.keys]
        if len(kids) != len(set(kids)):
            raise KeyProblem("the trust bundle names one kid twice")

    def get(self, kid: str) -> TrustedKey | None:
        return next((key for key in self.keys if key.kid == kid), None)

    def of_service(self, service: str) -> tuple[TrustedKey, ...]:
        """The service's keys, oldest first."""
        return tuple(key for key in self.keys if key.service == service)

    def holding(self, private_key: Ed25519PrivateKey) -> TrustedKey | None:
        """The entry of `private_key`'s public half, if the bundle trusts it."""
        raw = _raw(private_key.public_key())
        return next((key for key in self.keys if _raw(key.public_key) == raw), None)

    def with_key(self, key: TrustedKey) -> TrustBundle:
        return TrustBundle((*self.keys, key))

    def without(self, kids: set[str]) -> TrustBundle:
        return TrustBundle(tuple(key for key in self.keys if key.kid not in kids))

    def to_json(self, *, compact: bool = False) -> str:
        document = {"keys": [key.to_jwk() for key in self.keys]}
        if compact:  # one line, no blanks: an env-file value
            return json.dumps(document, separators=(",", ":"))
        return json.dumps(document, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> TrustBundle:
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise KeyProblem("the trust bundle is not JSON") from exc
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise KeyProblem('the trust bundle is not a JWKS document ({"keys": [...]})')
        return cls(tuple(TrustedKey.from_jwk(jwk) for jwk in document["keys"]))

    @classmethod
    def read(cls, path: Path) -> TrustBundle:
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise KeyProblem(f"cannot read the trust bundle {path}: {exc.strerror}") from exc
        try:
            return cls.from_json(text)
        except KeyProblem as exc:
            raise KeyProblem(f"{path}: {exc}") from exc


# --- private keys ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningKey:
    """A private key this machine holds, with the bundle's word on whose it is."""

    kid: str
    service: str
    dept: str
    private_key: Ed25519PrivateKey


def read_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NoSigningKey(f"cannot read the signing key {path}: {exc.strerror}") from exc
    if b"\n" not in data.strip() and b"\\n" in data:
        data = data.replace(b"\\n", b"\n")  # an env-file value whose newlines stayed escaped
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise KeyProblem(f"{path} is not an unencrypted PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyProblem(f"{path} is not an Ed25519 key")
    return key


def private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


# --- what one process holds -----------------------------------------------------------------


class _Watched(Generic[T]):
    """A file's parsed content, parsed again when the file changes (a rotated key, a bundle
    updated in place as a mounted ConfigMap is): a change that does not parse keeps the last
    good content, and is logged once."""

    def __init__(self, path: Path, parse: Callable[[Path], T]) -> None:
        self.path, self._parse = path, parse
        self._seen: tuple[int, int, int] | None = None  # the file as last looked at
        self._value: T | None = None
        self._lock = threading.Lock()

    def get(self) -> T:
        try:
            status = self.path.stat()
        except OSError as exc:
            if self._value is None:
                raise NoSigningKey(f"{self.path} is missing: {exc.strerror}") from exc
            return self._value
        stamp = (status.st_ino, status.st_mtime_ns, status.st_size)
        with self._lock:
            if stamp != self._seen:
                try:
                    value = self._parse(self.path)
                except KeyProblem:
                    if self._value is None:
                        raise
                    log.exception("%s changed and cannot be used: keeping the last", self.path)
                else:
                    self._value = value
                self._seen = stamp
            assert self._value is not None
            return self._value


class Keyring:
    """The trust bundle and the private keys on this machine: signs as a local service,
    verifies what any trusted key signed."""

    def __init__(
        self, bundle_file: Path, key_files: tuple[Path, ...] = (), key_dir: Path | None = None
    ):
        self._bundle = _Watched(bundle_file, TrustBundle.read)
        self._key_files = key_files
        self._key_dir = key_dir
        self._keys: dict[Path, _Watched[Ed25519PrivateKey]] = {}

    def bundle(self) -> TrustBundle:
        return self._bundle.get()

    def _private_files(self) -> tuple[Path, ...]:
        if self._key_dir is None:
            return self._key_files
        return (*self._key_files, *sorted(self._key_dir.glob(f"*{KEY_SUFFIX}")))

    def local_keys(self) -> list[SigningKey]:
        """Every private key here that the bundle trusts, the newest of each service last."""
        bundle = self.bundle()
        found: list[SigningKey] = []
        for path in self._private_files():
            watched = self._keys.setdefault(path, _Watched(path, read_private_key))
            private_key = watched.get()
            entry = bundle.holding(private_key)
            if entry is None:
                log.warning("the signing key %s is not in the trust bundle", path)
                continue
            found.append(SigningKey(entry.kid, entry.service, entry.dept, private_key))
        order = {key.kid: index for index, key in enumerate(bundle.keys)}
        return sorted(found, key=lambda key: order[key.kid])

    def signing_key(self, service: str) -> SigningKey:
        """The newest key of `service` this machine holds."""
        own = [key for key in self.local_keys() if key.service == service]
        if not own:
            raise NoSigningKey(f"no signing key of {service} here{self._holding()}")
        return own[-1]

    def signing_key_of_department(self, dept: str) -> SigningKey:
        """The newest local key of the first service (in the registry's order) of `dept`."""
        local = self.local_keys()
        for holder, holder_dept in HOLDERS.items():
            own = [key for key in local if key.service == holder and holder_dept == dept]
            if own:
                return own[-1]
        raise NoSigningKey(
            f"no signing key of department {dept} here: only its own services' keys sign "
            f"for it{self._holding()}"
        )

    def _holding(self) -> str:
        try:
            local = sorted({f"{k.service} ({k.dept})" for k in self.local_keys()})
        except KeyProblem:
            local = []
        return f"; this machine holds keys of: {', '.join(local)}" if local else ""

    def check_holds(self, service: str) -> SigningKey:
        """At a service's start: its own key is here and trusted, else it refuses to start."""
        local = self.local_keys()  # a missing or unreadable key file raises here
        own = [key for key in local if key.service == service]
        if not own:
            held = ", ".join(sorted({key.service for key in local})) or "none the bundle trusts"
            raise NoSigningKey(
                f"{service} needs its own signing key, trusted by the bundle; keys here: {held}"
            )
        return own[-1]


def keyring_for(settings: Settings, *, create: bool = False) -> Keyring:
    """The keys `settings` point to: the two files when given (production needs both), else
    the development folder of every key (LUOHU_KEYS_DIR), which a starting service (`create`)
    fills with whatever keys it lacks."""
    if settings.signing_key_file is not None or settings.trust_bundle_file is not None:
        if settings.trust_bundle_file is None:
            raise KeyProblem("LUOHU_SIGNING_KEY_FILE needs LUOHU_TRUST_BUNDLE_FILE beside it")
        given = (settings.signing_key_file, settings.previous_signing_key_file)
        return Keyring(settings.trust_bundle_file, key_files=tuple(f for f in given if f))
    if settings.environment == "production":
        raise KeyProblem(
            "production needs its own signing key and the trust bundle: set "
            "LUOHU_SIGNING_KEY_FILE and LUOHU_TRUST_BUNDLE_FILE"
        )
    folder = settings.keys_path
    if create:
        from shared.key_folder import init_keys  # the folder's module builds on this one

        init_keys(folder)
    elif not (folder / BUNDLE_FILE).exists():
        raise NoSigningKey(
            f"no keys in {folder}: the platform makes them when it starts (`luohu run`), or "
            "`luohu keys init`"
        )
    return Keyring(folder / BUNDLE_FILE, key_dir=folder)
