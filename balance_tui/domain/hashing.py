"""The audit hash chains: sha256 over the previous hash and a canonical encoding of a row.

The encoding is JSON with sorted keys, no whitespace and UTF-8 text. Events form one chain
per customer, starting from ``GENESIS_HASH``; everything else the book must not lose
(acknowledgements, approvals, refused attempts, authority changes) forms one more chain of
audit records.

Events of ``chain_version`` 3 are hashed over every stored field, the fingerprint of the
keyed request included (so a key cannot be made to replay another change); version 2 rows
(written since migration 0006, and the demo's, which carry no key) over every field but that
one; version 1 rows keep the hash they were written with. Passing a row off as an older
version changes what is hashed, so it does not verify either.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from balance_tui.domain.record import record

GENESIS_HASH = "0" * 64
#: The version new events are hashed with.
CHAIN_VERSION = 3
VERSION_2_FIELDS = ("currency", "db_user", "approval_id", "chain_version")
VERSION_3_FIELDS = ("request_hash",)


#: The canonical encoders, made once (``json.dumps`` with options builds one per call, a
#: good share of the cost of hashing a row).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_CANONICAL_STRICT = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


@record
class ChainedFields:
    """Exactly what the hash covers (integers for money and time: no rounding ambiguity)."""

    customer_id: str
    sequence: int
    agent_id: str
    change_type: str
    amount_cents: int
    previous_cents: int
    new_cents: int
    reason: str
    performed_by: str
    vip_level: str
    metadata_json: str
    risk_score: int
    warnings_json: str
    idempotency_key: str | None
    created_us: int
    reverses_event_id: int | None
    currency: str = ""
    db_user: str | None = None
    approval_id: int | None = None
    chain_version: int = CHAIN_VERSION
    request_hash: str | None = None

    def canonical(self) -> bytes:
        fields = dict(self.__dict__)
        if self.chain_version < 3:
            for name in VERSION_3_FIELDS:
                del fields[name]
        if self.chain_version < 2:
            for name in VERSION_2_FIELDS:
                del fields[name]
        return canonical_row(fields)


def canonical_row(fields: dict[str, Any]) -> bytes:
    """The encoding hashed for a row given as ``{field: value}`` (every ``ChainedFields``
    field of its chain version)."""
    return _CANONICAL.encode(fields).encode("utf-8")


def chain_hash(prev_hash: str, fields: ChainedFields) -> str:
    """The hash of one row given its predecessor's."""
    return link_hash(prev_hash, fields.canonical())


def link_hash(prev_hash: str, canonical: bytes) -> str:
    """The hash of a row's canonical encoding given its predecessor's hash."""
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical)
    return digest.hexdigest()


def canonical_json(value: Any) -> str:
    """Metadata and warnings as stored: canonical JSON text, so rehashing is exact."""
    return _CANONICAL_STRICT.encode(value)


def audit_hash(prev_hash: str, kind: str, ref_id: str, body: str, db_user: str | None) -> str:
    """The hash of one audit record (an acknowledgement, an approval, a refusal...)."""
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical_json([kind, ref_id, body, db_user]).encode("utf-8"))
    return digest.hexdigest()
