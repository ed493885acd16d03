"""Four eyes: a checker who is not the maker approves (and so applies) or rejects a change
that was above its maker's authority.

Approval re-validates the change against the balance and limits of that moment and applies
it in the same transaction as the decision, the event linked to the request. Deciding locks
the customer first, as every change does, so two checkers deciding one request at once are
served one after the other: the first decides, the second is told it was decided. (The
decision's primary key is the request, so the database would refuse a second one anyway.)
"""

from __future__ import annotations

import dataclasses
from functools import cached_property

from peewee import IntegrityError

from balance_tui.domain.authority import ApprovalRequest, Identity, why_not_decide
from balance_tui.domain.changes import ChangeType
from balance_tui.domain.errors import (
    ApprovalStateError,
    InvalidInputError,
    NotAuthorisedError,
    UnknownApprovalError,
)
from balance_tui.domain.hashing import canonical_json
from balance_tui.domain.inputs import MAX_NAME, MAX_REASON, check_id, check_text
from balance_tui.domain.money import to_cents
from balance_tui.domain.records import BalanceUpdateResult
from balance_tui.services import audit_records
from balance_tui.services.base import ServiceBase
from balance_tui.services.clock import to_us
from balance_tui.services.feed import ApprovalDecided, Notice
from balance_tui.services.ledger import ChangeRequest, Ledger, approval_record
from balance_tui.store import approvals as store

STATUSES = ("pending", "approved", "rejected", "expired")


class _NotApplied(Exception):
    """Approval's re-validation refused the change: the decision rolls back with it."""

    def __init__(self, outcome: BalanceUpdateResult) -> None:
        self.outcome = outcome


class ApprovalDesk(ServiceBase):
    """Lists approval requests and decides them."""

    @cached_property
    def ledger(self) -> Ledger:
        return Ledger(self.db, self.clock, settings=self.settings, feed=self.feed)

    # ----------------------------------------------------------------- reading

    def get(self, request_id: int) -> ApprovalRequest:
        request_id = check_id(request_id, "Approval request id")
        with self.read_snapshot():
            return self.ledger.approval(request_id)

    def requests(
        self, *, status: str | None = "pending", mine: str | None = None, limit: int = 500
    ) -> list[ApprovalRequest]:
        """Requests, newest first. ``status`` None lists all; ``mine``: only those made by
        that label's identity."""
        if status is not None and status not in STATUSES:
            raise InvalidInputError(f"Status must be one of {', '.join(STATUSES)}.")
        maker = None if mine is None else self.ledger.authority.login_for(mine)
        with self.read_snapshot():
            rows = store.requests(self.db, self.now_us(), status=status, maker=maker, limit=limit)
        return [approval_record(row) for row in rows]

    def pending_for(self, customer_id: str) -> list[ApprovalRequest]:
        """The customer's pending requests, newest first."""
        with self.read_snapshot():
            rows = store.requests(self.db, self.now_us(), status="pending", customer=customer_id)
        return [approval_record(row) for row in rows]

    def count_pending(self) -> int:
        with self.read_snapshot():
            return store.count_pending(self.db, self.now_us())

    def marks(self) -> tuple[int, int]:
        """Where a watcher of approvals starts: (highest request id, latest decision)."""
        return store.marks(self.db)

    def changed_since(
        self, marks: tuple[int, int]
    ) -> tuple[list[ApprovalRequest], tuple[int, int]]:
        """Requests made or decided since ``marks`` (inside the caller's session), and the
        new marks."""
        rows = store.changed_since(self.db, marks[0], marks[1], self.now_us())
        found = [approval_record(row) for row in rows]
        last_id = max([marks[0]] + [r.id for r in found])
        decided = [to_us(r.decided_at) for r in found if r.decided_at is not None]
        return found, (last_id, max([marks[1], *decided]))

    # ----------------------------------------------------------------- deciding

    def approve(self, request_id: int, checker: str, note: str = "") -> BalanceUpdateResult:
        """Approve and apply a pending request. Returns the applied change (``status``
        "applied", ``event.id``), or a refusal when the change no longer passes validation
        (the request then stays pending). Raises for a request that cannot be decided by
        this checker (made by them, above their authority, decided, expired)."""
        request_id = check_id(request_id, "Approval request id")
        label = check_text(checker, "Operator", MAX_NAME)
        kept_note = check_text(note, "Note", MAX_REASON) if note and note.strip() else ""
        now_us = self.now_us()

        def work() -> tuple[BalanceUpdateResult, list[Notice]]:
            request = self._decidable(request_id, label, now_us)
            self._decide(request, "approved", label, kept_note, now_us)
            outcome, notices = self.ledger._apply(self._change(request), None)
            if not outcome.success:
                raise _NotApplied(outcome)
            decided = self.ledger.approval(request.id, now_us)
            notices.append(ApprovalDecided(decided))
            return _with_request(outcome, decided), notices

        try:
            outcome, notices = self._transact_decision(work, request_id)
        except _NotApplied as refused:
            # Nothing of the approval stands (the request stays pending); the refusal and
            # its alert are recorded on their own, by the checker who tried.
            request = self.get(request_id)
            errors = refused.outcome.validation.errors
            alerts = self.ledger.record_refusal(
                dataclasses.replace(self._change(request), performed_by=label),
                [f"Approving request #{request_id}: {e}" for e in errors],
                limit=bool(refused.outcome.alerts),
            )
            return _with_request(dataclasses.replace(refused.outcome, alerts=alerts), request)
        self.feed.publish(*notices)
        return outcome

    def _change(self, request: ApprovalRequest) -> ChangeRequest:
        """The change a request applies, as its maker asked for it."""
        return ChangeRequest(
            customer_code=request.customer_id,
            agent_code=None,
            change_type=ChangeType(request.change_type),
            cents=to_cents(request.amount),
            reason=request.reason,
            performed_by=request.maker_label,
            vip_level=None,
            metadata_json=self._metadata_json(request),
            idempotency_key=self.ledger.approval_key(request.id),
            reverses_event_id=request.reverses_event_id,
            approval_id=request.id,
        )

    def reject(self, request_id: int, checker: str, reason: str) -> ApprovalRequest:
        """Reject a pending request; ``reason`` is required and kept with the decision."""
        request_id = check_id(request_id, "Approval request id")
        label = check_text(checker, "Operator", MAX_NAME)
        why = check_text(reason, "Reason", MAX_REASON)
        now_us = self.now_us()

        def work() -> tuple[ApprovalRequest, list[Notice]]:
            request = self._decidable(request_id, label, now_us)
            self._decide(request, "rejected", label, why, now_us)
            decided = self.ledger.approval(request.id, now_us)
            return decided, [ApprovalDecided(decided)]

        decided, notices = self._transact_decision(work, request_id)
        self.feed.publish(*notices)
        return decided

    def _transact_decision(self, work, request_id: int):  # type: ignore[no-untyped-def]
        try:
            return self.transact(work)
        except IntegrityError:  # another checker's decision committed first
            raise ApprovalStateError(
                f"Approval request #{request_id} was decided by someone else just now."
            ) from None

    def _decidable(self, request_id: int, label: str, now_us: int) -> ApprovalRequest:
        """The request, under its customer's lock, if this checker may decide it now."""
        row = store.request(self.db, request_id, now_us)
        if row is None:
            raise UnknownApprovalError(f"No approval request #{request_id}.")
        who = self.ledger.authority.login_for(label)
        if who == row["maker"]:
            raise NotAuthorisedError(
                f"{who} made approval request #{request_id}; another login must decide it."
            )
        roles = self.ledger.authority.roles(label)
        if not roles & {"supervisor", "admin"}:
            raise NotAuthorisedError(
                f"{who} is {' and '.join(sorted(roles)) or 'given no balance role'}; "
                "deciding approval requests needs a supervisor or an admin."
            )
        # The customer's lock serialises deciders (and changes) of this customer; read again
        # under it, since another checker may have decided meanwhile.
        self.ledger.sql.read_customer(row["customer_code"], lock=True)
        request = self.ledger.approval(request_id, now_us)
        me = self.ledger.authority.identity(label)
        if request.status == "expired":
            raise ApprovalStateError(
                f"Approval request #{request.id} expired at "
                f"{request.expires_at:%Y-%m-%d %H:%M} UTC; the maker must ask again."
            )
        if request.status != "pending":
            raise ApprovalStateError(
                f"Approval request #{request.id} was already {request.status} by "
                f"{request.checker_label} ({request.checker})."
            )
        self._may_decide(me, request)
        return request

    @staticmethod
    def _may_decide(me: Identity, request: ApprovalRequest) -> None:
        refusal = why_not_decide(me, request)
        if refusal is not None:
            raise NotAuthorisedError(refusal)

    def _decide(
        self, request: ApprovalRequest, verdict: str, label: str, note: str, now_us: int
    ) -> None:
        store.insert_decision(
            self.db,
            {
                "request_id": request.id,
                "verdict": verdict,
                "checker": self.ledger.authority.login_for(label),
                "checker_label": label,
                "note": note,
                "decided_us": now_us,
            },
        )
        audit_records.record(self.db, "decision", [request.id], now_us)

    @staticmethod
    def _metadata_json(request: ApprovalRequest) -> str:
        return canonical_json(request.metadata)


def _with_request(outcome: BalanceUpdateResult, request: ApprovalRequest) -> BalanceUpdateResult:
    return dataclasses.replace(outcome, request=request)
