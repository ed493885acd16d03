"""Writing and checking the chain of audit records (alerts and their acknowledgements,
approval requests and decisions, refused attempts, authority and tier rules, customers).

``record`` runs inside the caller's write transaction, after the row it vouches for was
written, so the row and its record commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable

from peewee import Database

from balance_tui.domain.hashing import GENESIS_HASH, audit_hash, canonical_json
from balance_tui.domain.records import VerificationProblem
from balance_tui.store import audit_records as store
from balance_tui.store.transactions import database_user

KINDS = tuple(store.AUDITED)
_LABELS = {
    "alert": "alert",
    "ack": "acknowledgement of alert",
    "refusal": "refused attempt",
    "request": "approval request",
    "decision": "decision on approval request",
    "authority": "authority",
    "rule": "tier rule",
    "customer": "customer",
    "customer_change": "customer change",
    "operator": "operator",
}


def record(db: Database, kind: str, ref_ids: Iterable[object], now_us: int) -> None:
    """Append one audit record per row (inside the caller's write transaction)."""
    ids = [str(i) for i in ref_ids]
    if not ids:
        return
    head = store.lock_head(db) or GENESIS_HASH
    db_user = database_user(db)
    for ref_id in ids:
        row = store.audited_row(db, kind, ref_id)
        if row is None:
            raise AssertionError(f"no {kind} {ref_id} to record")  # written just before
        body = canonical_json(row)
        digest = audit_hash(head, kind, ref_id, body, db_user)
        store.append(
            db,
            {
                "kind": kind,
                "ref_id": ref_id,
                "body": body,
                "db_user": db_user,
                "created_us": now_us,
                "prev_hash": head,
                "hash": digest,
            },
        )
        head = digest


def _label(kind: str, ref: str) -> str:
    named = kind in ("authority", "rule", "customer", "operator")
    return f"{_LABELS[kind]} {'' if named else '#'}{ref}"


def verify(db: Database) -> tuple[int, list[VerificationProblem]]:
    """Walk the chain (inside the caller's snapshot): every link and hash, every row vouched
    for still as recorded, and every row that must have a record having one (an
    acknowledgement, refusal, request, decision or authority written around the app).
    Returns (records checked, problems)."""
    problems: list[VerificationProblem] = []
    head = GENESIS_HASH
    latest: dict[tuple[str, str], str] = {}
    count = 0
    for row in store.records(db):
        count += 1
        where = f"audit record #{row['id']}"
        if row["prev_hash"] != head:
            problems.append(
                VerificationProblem("audit", None, f"{where} does not follow the record before it")
            )
        expected = audit_hash(
            str(row["prev_hash"]), row["kind"], row["ref_id"], row["body"], row["db_user"]
        )
        if expected != row["hash"]:
            problems.append(
                VerificationProblem("audit", None, f"{where} was altered (its hash differs)")
            )
        head = str(row["hash"])
        latest[(row["kind"], row["ref_id"])] = row["body"]
    for kind in KINDS:
        recorded = {ref: body for (k, ref), body in latest.items() if k == kind}
        current = dict(store.audited_rows(db, kind))
        for ref in current.keys() - recorded.keys():
            label = _label(kind, ref)
            problems.append(VerificationProblem("audit", None, f"{label} has no audit record"))
        for ref, body in recorded.items():
            label = _label(kind, ref)
            now = current.get(ref)
            if now is None:
                problems.append(VerificationProblem("audit", None, f"{label} was removed"))
            elif canonical_json(now) != body:
                problems.append(
                    VerificationProblem("audit", None, f"{label} differs from its audit record")
                )
    return count, problems
