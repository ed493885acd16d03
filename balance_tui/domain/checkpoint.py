"""Audit checkpoints: a statement of the book reduced to one root digest and signed (see
``domain.checkpoint_keys``). Pure: no I/O, no clock.

Format 2 adds to format 1's chain heads, audit head and counts: the exact contents of the
alerts and customers up to the checkpoint (digests of their rows, not counts), a sequence
number, the root of the checkpoint before it, and the signing key's id and algorithm.
Format 1 files (HMAC-SHA256, no key id) still verify.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from balance_tui.domain.hashing import canonical_json

FORMAT = "balance-tui checkpoint 1"
FORMAT_2 = "balance-tui checkpoint 2"
SIGNED_FIELDS = ("format", "database", "created_at", "chains", "audit", "counts")
SIGNED_FIELDS_2 = (
    *SIGNED_FIELDS,
    "sequence",
    "previous",
    "key_id",
    "algorithm",
    "digests",
)


def root_digest(statement: dict[str, Any]) -> str:
    """sha256 of the canonical statement (every signed field of its format)."""
    names = SIGNED_FIELDS_2 if statement.get("format") == FORMAT_2 else SIGNED_FIELDS
    body = {name: statement[name] for name in names}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def rows_digest(rows: Iterable[Iterable[Any]]) -> str:
    """sha256 over rows given in a fixed order, each as canonical JSON on its own line."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(canonical_json(list(row)).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()
