"""The audit hash chain: sha256 over the previous hash and a canonical encoding of the row.

The encoding is JSON with sorted keys, no whitespace and UTF-8 text, over the fields that
make up the change; one chain per customer, starting from ``GENESIS_HASH``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
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

    def canonical(self) -> bytes:
        return json.dumps(
            self.__dict__, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")


def chain_hash(prev_hash: str, fields: ChainedFields) -> str:
    """The hash of one row given its predecessor's."""
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(b"\n")
    digest.update(fields.canonical())
    return digest.hexdigest()


def canonical_json(value: Any) -> str:
    """Metadata and warnings as stored: canonical JSON text, so rehashing is exact."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
