"""The keys that sign and verify audit checkpoints. Pure: bytes in, keys out, no I/O.

- **Ed25519** (a PEM private key signs; its PEM public key only verifies): an auditor who
  holds the public key can check every checkpoint and forge none. Preferred.
- **HMAC-SHA256** (any other key text of 16 bytes or more): whoever can verify can also
  sign. Kept for books and checkpoints made before Ed25519.

Every key has an id (``ed25519:`` or ``hmac:`` and 16 hex digits of a sha256 of the key),
written into each checkpoint, so after a rotation old checkpoints still find their key in a
keyring of several.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from balance_tui.domain.errors import BalanceError

#: Shortest HMAC key accepted (bytes): HMAC is only as strong as its key.
MIN_KEY_BYTES = 16
ED25519 = "ed25519"
HMAC_SHA256 = "hmac-sha256"


class CheckpointKeyError(BalanceError):
    """No usable key, or a checkpoint whose signature no key given matches."""


class CheckpointKey:
    """One key: it verifies, and signs if it holds the secret half."""

    def __init__(self, algorithm: str, key_id: str, secret: object, public: object) -> None:
        self.algorithm, self.key_id = algorithm, key_id
        self._secret, self._public = secret, public

    @property
    def can_sign(self) -> bool:
        return self._secret is not None

    def sign(self, root: str) -> str:
        if self._secret is None:
            raise CheckpointKeyError(
                f"Key {self.key_id} is a public key: it verifies checkpoints, it cannot sign "
                "them. Sign with the private key."
            )
        if self.algorithm == HMAC_SHA256:
            return _hmac(self._secret, root)  # type: ignore[arg-type]
        return self._secret.sign(root.encode("ascii")).hex()  # type: ignore[attr-defined]

    def matches(self, root: str, signature: str) -> bool:
        if self.algorithm == HMAC_SHA256:
            return hmac.compare_digest(_hmac(self._secret, root), signature)  # type: ignore[arg-type]
        from cryptography.exceptions import InvalidSignature

        try:
            self._public.verify(bytes.fromhex(signature), root.encode("ascii"))  # type: ignore[attr-defined]
        except (InvalidSignature, ValueError):
            return False
        return True


def _hmac(secret: bytes, root: str) -> str:
    return hmac.new(secret, root.encode("ascii"), hashlib.sha256).hexdigest()


def _short(data: bytes) -> str:
    return hashlib.sha256(b"balance-tui checkpoint key\n" + data).hexdigest()[:16]


def load_key(data: bytes) -> CheckpointKey:
    """A key from a key file's bytes (or the key text): PEM Ed25519 private or public, else
    an HMAC secret."""
    text = data.strip()
    if not text:
        raise CheckpointKeyError(
            "No audit key: give --key-file (kept outside the book) or set BALANCE_TUI_AUDIT_KEY."
        )
    if text.startswith(b"-----BEGIN"):
        return _pem_key(text)
    secret = data.rstrip(b"\r\n")
    if len(secret) < MIN_KEY_BYTES:
        raise CheckpointKeyError(
            f"The audit key is too short: use at least {MIN_KEY_BYTES} bytes "
            "(or an Ed25519 key: balance-tui keygen)."
        )
    return CheckpointKey(HMAC_SHA256, f"hmac:{_short(secret)}", secret, None)


def _pem_key(text: bytes) -> CheckpointKey:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    try:
        if b"PRIVATE KEY" in text.split(b"\n", 1)[0]:
            private = serialization.load_pem_private_key(text, password=None)
            if not isinstance(private, Ed25519PrivateKey):
                raise ValueError("not Ed25519")
            public = private.public_key()
        else:
            private, public = None, serialization.load_pem_public_key(text)  # type: ignore[assignment]
            if not isinstance(public, Ed25519PublicKey):
                raise ValueError("not Ed25519")
    except (ValueError, TypeError) as exc:
        raise CheckpointKeyError(f"The key file is not an Ed25519 PEM key ({exc}).") from None
    return CheckpointKey(ED25519, f"ed25519:{_short(public.public_bytes(*raw))}", private, public)


def new_ed25519_pem() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as (private PEM, public PEM)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    return (
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )


def keyring(keys: Iterable[CheckpointKey]) -> dict[str, CheckpointKey]:
    return {key.key_id: key for key in keys}
