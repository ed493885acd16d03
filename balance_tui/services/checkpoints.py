"""``balance-tui checkpoint`` and ``verify --checkpoint``: a signed statement of the book,
and the proof that nothing recorded before it was changed, removed, truncated or
re-chained since.

A checkpoint holds every customer chain's length and head hash, the audit-record chain's
length and head, and the counts of events, alerts, acknowledgements, approval requests and
decisions and refused attempts, all reduced to one root digest and signed with HMAC-SHA256
under a key the book never holds. Re-chaining after an edit rewrites every later hash, so
the hash at a checkpoint's recorded position no longer matches; deleting a customer's last
events shortens its chain below the recorded length; removing an acknowledgement lowers a
count (and breaks the audit chain's head).
"""

from __future__ import annotations

from typing import Any

from balance_tui.domain.checkpoint import (
    FORMAT,
    MIN_KEY_BYTES,
    root_digest,
    sign,
    signature_matches,
)
from balance_tui.domain.errors import BalanceError, InvalidInputError
from balance_tui.domain.record import record
from balance_tui.services.base import ServiceBase
from balance_tui.services.clock import from_us
from balance_tui.store import audit_records
from balance_tui.store import checkpoints as store
from balance_tui.store.connection import describe_database


class CheckpointKeyError(BalanceError):
    """The checkpoint's signature does not match the key given (or no usable key)."""


@record
class CheckpointCheck:
    """What ``verify --checkpoint`` found: each way the book departs from the statement."""

    created_at: str
    chains_checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_key(key: bytes | None) -> bytes:
    if not key:
        raise CheckpointKeyError(
            "No audit key: set BALANCE_TUI_AUDIT_KEY or give --key-file (kept outside the book)."
        )
    if len(key) < MIN_KEY_BYTES:
        raise CheckpointKeyError(f"The audit key is too short: use at least {MIN_KEY_BYTES} bytes.")
    return key


class CheckpointService(ServiceBase):
    """Writes and checks signed statements of the book."""

    def make(self, key: bytes) -> dict[str, Any]:
        """The signed statement of the book as of one snapshot."""
        key = check_key(key)
        with self.read_snapshot():
            chains = [[code, length, head] for code, length, head in store.chain_heads(self.db)]
            audit_length, audit_head = audit_records.head(self.db)
            counts = store.counts(self.db)
        statement: dict[str, Any] = {
            "format": FORMAT,
            "database": describe_database(self.db),
            "created_at": from_us(self.now_us()).isoformat(),
            "chains": chains,
            "audit": [audit_length, audit_head],
            "counts": counts,
        }
        statement["root"] = root_digest(statement)
        statement["signature"] = sign(key, statement["root"])
        return statement

    def check(self, statement: Any, key: bytes) -> CheckpointCheck:
        """Compare the book now with a checkpoint; raises when the file is not a checkpoint,
        was altered, or was signed under another key."""
        key = check_key(key)
        if not isinstance(statement, dict) or statement.get("format") != FORMAT:
            raise InvalidInputError(f"That file is not a balance-tui checkpoint ({FORMAT}).")
        try:
            root = root_digest(statement)
            chains = [(str(c), int(n), str(h)) for c, n, h in statement["chains"]]
            audit_length, audit_head = int(statement["audit"][0]), statement["audit"][1]
            counts = {str(k): int(v) for k, v in statement["counts"].items()}
        except (KeyError, TypeError, ValueError):
            raise InvalidInputError(
                "That checkpoint file is damaged (a field is missing)."
            ) from None
        if root != statement.get("root"):
            raise InvalidInputError(
                "That checkpoint file was altered: its contents no longer give its root digest."
            )
        if not signature_matches(key, root, str(statement.get("signature", ""))):
            raise CheckpointKeyError(
                "The checkpoint's signature does not match this audit key: wrong key (check "
                "BALANCE_TUI_AUDIT_KEY or the key file), or the checkpoint was not made with it."
            )
        problems: list[str] = []
        with self.read_snapshot():
            found = store.hashes_at(self.db, [(code, n) for code, n, _ in chains])
            lengths = store.lengths(self.db) if len(found) < len(chains) else {}
            now_audit = audit_records.hash_at(self.db, audit_length) if audit_length else None
            now_counts = store.counts(self.db)
        for code, length, head in chains:
            current = found.get((code, length))
            if current is None:
                have = lengths.get(code)
                problems.append(
                    f"{code}: removed (it had {length} events at the checkpoint)"
                    if have is None
                    else f"{code}: truncated: {length} events at the checkpoint, {have} now"
                )
            elif current != head:
                problems.append(
                    f"{code}: event {length} no longer has the hash recorded at the checkpoint "
                    "(an earlier event was changed and the chain re-computed)"
                )
        if audit_length and now_audit != audit_head:
            problems.append(
                "audit records: the chain no longer has the head recorded at the checkpoint "
                f"(record {audit_length}): an acknowledgement, approval, refusal or authority "
                "change was altered or removed"
            )
        for name, then in counts.items():
            now = now_counts.get(name, 0)
            if now < then:
                problems.append(
                    f"{name.replace('_', ' ')}: {then:,} at the checkpoint, {now:,} now "
                    "(some were removed)"
                )
        return CheckpointCheck(str(statement["created_at"]), len(chains), problems)
