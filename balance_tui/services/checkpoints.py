"""``balance-tui checkpoint`` and ``verify --checkpoint``: a signed statement of the book,
and the proof that nothing recorded before it was changed, removed, truncated, replaced or
re-chained since.

A checkpoint (format 2) holds every customer chain's length and head hash, the audit-record
chain's length and head, the counts of everything else, and digests of the exact contents of
the alerts and customers up to their highest ids then; its sequence number and the root of
the checkpoint before it; all reduced to one root digest and signed (Ed25519, or HMAC for
older keys) under a key the book never holds. Each checkpoint is also appended to the
book's own log, so a check says how old a checkpoint is and names a book restored from a
copy older than it. Format 1 files still verify.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from peewee import IntegrityError

from balance_tui.domain.checkpoint import FORMAT, FORMAT_2, root_digest, rows_digest
from balance_tui.domain.checkpoint_keys import (
    CheckpointKey,
    CheckpointKeyError,
    keyring,
)
from balance_tui.domain.errors import InvalidInputError, StorageError
from balance_tui.domain.record import record
from balance_tui.services.base import ServiceBase
from balance_tui.services.checkpoint_checks import content_problems, log_findings
from balance_tui.services.clock import from_us
from balance_tui.store import audit_records
from balance_tui.store import checkpoints as store
from balance_tui.store.connection import describe_database

__all__ = ["CheckpointCheck", "CheckpointKeyError", "CheckpointService"]


@record
class CheckpointCheck:
    """What ``verify --checkpoint`` found: each way the book departs from the statement,
    and what the book's log says of the checkpoint's age (``notes``, not problems)."""

    created_at: str
    chains_checked: int
    problems: list[str]
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


class CheckpointService(ServiceBase):
    """Writes and checks signed statements of the book."""

    def make(self, key: CheckpointKey) -> dict[str, Any]:
        """The signed statement of the book as of one snapshot, appended to its log."""
        if not key.can_sign:
            key.sign("")  # raises: a public key verifies, it cannot sign
        with self.read_snapshot():
            chains = [[code, length, head] for code, length, head in store.chain_heads(self.db)]
            audit_length, audit_head = audit_records.head(self.db)
            counts = store.counts(self.db)
            digests = {
                name: [up_to, rows_digest(store.content_rows(self.db, name, up_to))]
                for name, up_to in store.highest_ids(self.db).items()
            }
        now_us = self.now_us()

        def sign_and_log() -> dict[str, Any]:
            sequence, previous = store.last_logged(self.db)
            statement: dict[str, Any] = {
                "format": FORMAT_2,
                "database": describe_database(self.db),
                "created_at": from_us(now_us).isoformat(),
                "sequence": sequence + 1,
                "previous": previous,
                "key_id": key.key_id,
                "algorithm": key.algorithm,
                "chains": chains,
                "audit": [audit_length, audit_head],
                "counts": counts,
                "digests": digests,
            }
            statement["root"] = root_digest(statement)
            statement["signature"] = key.sign(statement["root"])
            store.append_log(
                self.db,
                (
                    sequence + 1,
                    statement["root"],
                    previous,
                    key.key_id,
                    now_us,
                    json.dumps(statement, ensure_ascii=False),
                ),
            )
            return statement

        try:
            return self.transact(sign_and_log)
        except IntegrityError:  # the log's sequence was taken by a checkpoint made meanwhile
            raise StorageError(
                "Another checkpoint was written at the same moment; nothing was written. "
                "Make this one again."
            ) from None

    def check(self, statement: Any, keys: Iterable[CheckpointKey]) -> CheckpointCheck:
        """Compare the book now with a checkpoint; raises when the file is not a checkpoint,
        was altered, or was signed under none of the keys given."""
        ring = keyring(keys)
        if not ring:
            raise CheckpointKeyError(
                "No audit key: give --key-file (kept outside the book) or set "
                "BALANCE_TUI_AUDIT_KEY."
            )
        if not isinstance(statement, dict) or statement.get("format") not in (FORMAT, FORMAT_2):
            raise InvalidInputError(f"That file is not a balance-tui checkpoint ({FORMAT_2}).")
        try:
            root = root_digest(statement)
            chains = [(str(c), int(n), str(h)) for c, n, h in statement["chains"]]
            audit_length, audit_head = int(statement["audit"][0]), statement["audit"][1]
            counts = {str(k): int(v) for k, v in statement["counts"].items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            raise InvalidInputError(
                "That checkpoint file is damaged (a field is missing or of the wrong shape)."
            ) from None
        if root != statement.get("root"):
            raise InvalidInputError(
                "That checkpoint file was altered: its contents no longer give its root digest."
            )
        _check_signature(statement, root, ring)
        problems: list[str] = []
        notes: list[str] = []
        with self.read_snapshot():
            found = store.hashes_at(self.db, [(code, n) for code, n, _ in chains])
            lengths = store.lengths(self.db) if len(found) < len(chains) else {}
            now_audit = audit_records.hash_at(self.db, audit_length) if audit_length else None
            now_counts = store.counts(self.db)
            if statement["format"] == FORMAT_2:
                problems += content_problems(self.db, statement)
                logged = log_findings(store.log(self.db), statement)
                problems += logged.problems
                notes += logged.notes
        problems = _chain_problems(chains, found, lengths) + problems
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
        return CheckpointCheck(str(statement["created_at"]), len(chains), problems, tuple(notes))


def _check_signature(statement: dict[str, Any], root: str, ring: dict[str, CheckpointKey]) -> None:
    signature = str(statement.get("signature", ""))
    key_id = statement.get("key_id")
    if key_id is None:  # format 1: HMAC, no key id; any HMAC key of the ring may be it
        candidates = [k for k in ring.values() if k.algorithm == "hmac-sha256"]
    elif key_id in ring:
        candidates = [ring[key_id]]
    else:
        raise CheckpointKeyError(
            f"The checkpoint was signed with key {key_id}, which is not among the keys given "
            f"({', '.join(ring)}): give that key's file too (keys are kept after a rotation)."
        )
    if not any(key.matches(root, signature) for key in candidates):
        raise CheckpointKeyError(
            "The checkpoint's signature does not match this audit key: wrong key (check "
            "BALANCE_TUI_AUDIT_KEY or the key file), or the checkpoint was forged."
        )


def _chain_problems(
    chains: list[tuple[str, int, str]],
    found: dict[tuple[str, int], str],
    lengths: dict[str, int],
) -> list[str]:
    problems = []
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
    return problems
