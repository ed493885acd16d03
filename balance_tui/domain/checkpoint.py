"""Audit checkpoints: a statement of the book reduced to one root digest, signed with
HMAC-SHA256 under a key kept outside the book. Pure: no I/O, no clock."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from balance_tui.domain.hashing import canonical_json

FORMAT = "balance-tui checkpoint 1"
#: Shortest key accepted (bytes): HMAC is only as strong as its key.
MIN_KEY_BYTES = 16
SIGNED_FIELDS = ("format", "database", "created_at", "chains", "audit", "counts")


def root_digest(statement: dict[str, Any]) -> str:
    """sha256 of the canonical statement (every field but ``root`` and ``signature``)."""
    body = {name: statement[name] for name in SIGNED_FIELDS}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def sign(key: bytes, root: str) -> str:
    return hmac.new(key, root.encode("ascii"), hashlib.sha256).hexdigest()


def signature_matches(key: bytes, root: str, signature: str) -> bool:
    return hmac.compare_digest(sign(key, root), signature)
