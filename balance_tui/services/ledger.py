"""The ledger's write path: each change one locked transaction — validated, hashed into the
customer's chain, the balance moved, alerts raised — or refused with nothing written.

Idempotency holds under concurrent submits: the key is looked up *after* the customer's row
is locked, so a second submit with the same key waits for the first and then replays it;
a submit that races on another customer meets the unique index, and that conflict is turned
into the replay (or an :class:`IdempotencyConflictError`), never a raw database error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cached_property
from typing import Any

from peewee import IntegrityError

from balance_tui.domain import alerts as alert_rules
from balance_tui.domain.authority import ApprovalRequest
from balance_tui.domain.changes import ChangeType, parse_change_type
from balance_tui.domain.errors import (
    AlreadyReversedError,
    BalanceError,
    IdempotencyConflictError,
    InvalidInputError,
    NotAuthorisedError,
    UnknownApprovalError,
    UnknownCustomerError,
    UnknownEventError,
)
from balance_tui.domain.hashing import CHAIN_VERSION, ChainedFields, canonical_json, chain_hash
from balance_tui.domain.inputs import (
    MAX_NAME,
    MAX_REASON,
    check_currency,
    check_id,
    check_text,
    metadata_to_json,
    storable_text,
)
from balance_tui.domain.money import (
    MoneyInput,
    cents_to_decimal,
    format_cents,
    to_cents,
    typed_currency,
)
from balance_tui.domain.record import record
from balance_tui.domain.records import (
    BalanceChange,
    BalanceChangeEvent,
    BalanceThresholdAlert,
    BalanceUpdateResult,
    BatchResult,
    Customer,
    ValidationResult,
)
from balance_tui.domain.risk import risk_score
from balance_tui.domain.rollups import EVERY_AGENT
from balance_tui.domain.rollups import buckets as rollup_buckets
from balance_tui.domain.tiers import BalanceValidationRules, normalise_tier
from balance_tui.domain.validation import check_change
from balance_tui.services import audit_records
from balance_tui.services.alert_raising import raise_alert
from balance_tui.services.authority import AuthorityService
from balance_tui.services.base import ServiceBase
from balance_tui.services.clock import DAY_US, HOUR_US, WEEK_US, from_us, later_us
from balance_tui.services.feed import AlertRaised, ApprovalRequested, BalanceChanged, Notice
from balance_tui.store import approvals as approval_store
from balance_tui.store.ledger import CustomerState, LedgerStatements


@record
class ChangeRequest:
    """A change request checked for shape, ready to go under the lock."""

    customer_code: str
    agent_code: str | None
    change_type: ChangeType
    cents: int
    reason: str
    performed_by: str
    vip_level: str | None
    metadata_json: str
    idempotency_key: str | None
    reverses_event_id: int | None = None
    #: The currency the amount was given in (a typed symbol or the caller's), if any.
    currency: str | None = None
    #: The approved request this change applies (then the maker's authority is not asked).
    approval_id: int | None = None

    def fingerprint(self) -> str:
        """The change as resolved: customer, type, amount, reason, operator, metadata and
        reversed event. An agent, tier or currency given with it only checks the customer's
        own (a change naming others is refused), so naming them or not is the same change."""
        return _digest(
            [
                self.customer_code,
                self.change_type.value,
                self.cents,
                self.reason,
                self.performed_by,
                self.metadata_json,
                self.reverses_event_id,
            ]
        )

    def matches(self, stored: str | None) -> bool:
        """Whether a stored fingerprint is this change's (books written before resolved
        fingerprints stored the agent and tier as they were given)."""
        legacy = _digest(
            [
                self.customer_code,
                self.agent_code,
                self.change_type.value,
                self.cents,
                self.reason,
                self.performed_by,
                self.vip_level,
                self.metadata_json,
                self.reverses_event_id,
            ]
        )
        return stored in (self.fingerprint(), legacy)


def _digest(fields: list[Any]) -> str:
    return hashlib.sha256(canonical_json(fields).encode("utf-8")).hexdigest()


class _BatchState:
    """What a batch has read and written so far, inside its one transaction."""

    def __init__(self, now_us: int) -> None:
        self.now_us = now_us
        self.customers: dict[str, CustomerState] = {}
        self.usage: dict[int, tuple[int, int, int]] = {}
        self.rules: dict[str, BalanceValidationRules] = {}


class _KeyConflict(Exception):
    """A change of a batch reuses an idempotency key with other parameters."""

    def __init__(self, index: int, error: IdempotencyConflictError) -> None:
        self.index, self.error = index, error


class _Refused(Exception):
    """A change of a batch was refused: the batch rolls back."""

    def __init__(self, index: int, outcome: BalanceUpdateResult) -> None:
        self.index, self.outcome = index, outcome


def customer_record(state: CustomerState) -> Customer:
    return Customer(
        state.code,
        state.name,
        state.agent_code,
        state.vip_level,
        state.currency,
        state.status,
        cents_to_decimal(state.balance_cents),
        from_us(state.created_us),
    )


class Ledger(ServiceBase):
    """Applies balance changes and reversals; refuses bad ones with reasons."""

    @cached_property
    def sql(self) -> LedgerStatements:
        return LedgerStatements(self.db)

    @cached_property
    def authority(self) -> AuthorityService:
        return AuthorityService(self.db, self.clock, settings=self.settings, feed=self.feed)

    def _read_only(self, performed_by: Any) -> BalanceUpdateResult | None:
        """A refusal for an identity that may not post at all (an auditor); not recorded as
        an attempt: such a login may not write even that."""
        try:
            label = check_text(performed_by, "Operator", MAX_NAME)
        except InvalidInputError:
            return None  # the shape check says what is wrong with it
        try:
            self.authority.require_writer(label)
        except NotAuthorisedError as exc:
            message = str(exc)
        else:
            return None
        return BalanceUpdateResult(
            False, Decimal("0.00"), ValidationResult(False, [message], []), [], None
        )

    # ----------------------------------------------------------------- one change

    def update_balance(
        self,
        customer_id: str,
        agent_id: str | None,
        change_amount: MoneyInput,
        change_type: str,
        reason: str,
        performed_by: str,
        vip_level: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
        rules: BalanceValidationRules | None = None,
        currency: str | None = None,
    ) -> BalanceUpdateResult:
        """Apply one change (see ``BalanceManager.update_balance``).

        ``currency``: the currency the amount is given in; a change in another currency than
        the customer's is refused (so is "€50" typed for a USD customer).

        A change above the acting identity's authority is not applied: it becomes an
        approval request (``result.status == "pending_approval"``, ``result.request``)."""
        read_only = self._read_only(performed_by)
        if read_only is not None:
            return read_only
        try:
            request = self.request(
                customer_id,
                agent_id,
                change_amount,
                change_type,
                reason,
                performed_by,
                vip_level,
                metadata,
                idempotency_key,
                currency,
            )
        except BalanceError as exc:
            return self._reject_early(customer_id, change_type, None, performed_by, str(exc))
        return self._submit(request, rules)

    def reverse_event(
        self,
        event_id: int,
        performed_by: str,
        reason: str,
        *,
        idempotency_key: str | None = None,
    ) -> BalanceUpdateResult:
        """Undo an event with a new ``reversal`` event pointing at it (at most once)."""
        event_id = check_id(event_id, "Event id")
        read_only = self._read_only(performed_by)
        if read_only is not None:
            return read_only
        with self.read_snapshot():
            code, agent_code, cents = self._original(event_id)
        try:
            request = ChangeRequest(
                customer_code=code,
                agent_code=agent_code,
                change_type=ChangeType.REVERSAL,
                cents=-cents,
                reason=check_text(reason, "Reason", MAX_REASON),
                performed_by=check_text(performed_by, "Operator", MAX_NAME),
                vip_level=None,
                metadata_json=canonical_json({"reverses_event_id": event_id}),
                idempotency_key=self._check_key(idempotency_key),
                reverses_event_id=event_id,
            )
        except BalanceError as exc:
            return self._reject_early(code, "reversal", -cents, performed_by, str(exc))
        return self._submit(request, None)

    def reversible(self, event_id: int) -> tuple[str, str, int]:
        """(customer code, agent code, amount in cents) of an event that may be reversed;
        an unknown event, a reversal itself or an event already reversed is an error."""
        with self.read_snapshot():
            code, agent_code, cents = self._original(event_id)
            reversed_by = self.sql.reversal_of(event_id)
        if reversed_by is not None:
            raise AlreadyReversedError(
                f"Event #{event_id} was already reversed by event #{reversed_by}."
            )
        return code, agent_code, cents

    def _original(self, event_id: int) -> tuple[str, str, int]:
        """What ``reversible`` says, except whether it was reversed (a keyed retry of a
        reversal that went through gets its result back; the write checks the rest)."""
        original = self.sql.event_to_reverse(event_id)
        if original is None:
            raise UnknownEventError(f"No balance change event #{event_id}.")
        code, agent_code, kind, cents = original
        if kind == ChangeType.REVERSAL:
            raise InvalidInputError(
                f"Event #{event_id} is itself a reversal and cannot be reversed."
            )
        return code, agent_code, cents

    # ----------------------------------------------------------------- batches

    def update_balances(self, changes: Sequence[BalanceChange]) -> BatchResult:
        """Apply many changes in one transaction, all or nothing (like linked transfers).

        Each change is validated against the balances and usage the earlier changes of the
        batch leave behind. If one is refused, nothing of the batch is written; the result
        names the change (``failed_index``) and why, and that refused attempt is recorded
        (with its ``limit_exceeded`` alert when a limit was the reason).
        """
        requests: list[ChangeRequest] = []
        for index, change in enumerate(changes):
            try:
                requests.append(
                    self.request(
                        change.customer_id,
                        change.agent_id,
                        change.change_amount,
                        change.change_type,
                        change.reason,
                        change.performed_by,
                        None,
                        change.metadata,
                        change.idempotency_key,
                        change.currency,
                    )
                )
            except BalanceError as exc:
                return BatchResult(False, [], index, [f"Change {index + 1}: {exc}"])

        def apply_all() -> tuple[list[BalanceUpdateResult], list[Notice]]:
            results: list[BalanceUpdateResult] = []
            notices: list[Notice] = []
            batch = _BatchState(self.now_us())  # one moment for the whole batch
            for index, request in enumerate(requests):
                try:
                    outcome, more = self._apply(request, None, batch)
                except IdempotencyConflictError as exc:
                    raise _KeyConflict(index, exc) from None
                if not outcome.success:
                    raise _Refused(index, outcome)
                results.append(outcome)
                notices += more
            return results, notices

        try:
            results, notices = self._transact_keyed(apply_all, requests)
        except _KeyConflict as conflict:
            return BatchResult(
                False, [], conflict.index, [f"Change {conflict.index + 1}: {conflict.error}"]
            )
        except _Refused as refused:
            request = requests[refused.index]
            reasons = refused.outcome.validation.errors
            # (never re-submit the change, which could pass without the batch before it)
            self.record_refusal(request, reasons, limit=bool(refused.outcome.alerts))
            errors = [f"Change {refused.index + 1} ({request.customer_code}): {e}" for e in reasons]
            return BatchResult(False, [], refused.index, errors)
        self.feed.publish(*notices)
        return BatchResult(True, results)

    def record_refusal(
        self, request: ChangeRequest, errors: list[str], *, limit: bool
    ) -> list[BalanceThresholdAlert]:
        """Record a refused change, and its ``limit_exceeded`` alert when a limit was the
        reason, in a transaction of their own: the one that refused it (a batch, an
        approval) rolled back, and their records with it. Returns the alert raised."""

        def write() -> list[BalanceThresholdAlert]:
            now_us = self.now_us()
            self._record_rejection(
                request.customer_code[:64],
                request.change_type.value,
                request.cents,
                request.performed_by,
                errors,
                now_us,
            )
            state = self.sql.read_customer(request.customer_code, lock=False)
            if not limit or state is None:
                return []
            return [self._limit_alert(state, request, errors, now_us)]

        alerts = self.transact(write)
        self.feed.publish(*(AlertRaised(a) for a in alerts))
        return alerts

    def _limit_alert(
        self, state: CustomerState, request: ChangeRequest, errors: list[str], now_us: int
    ) -> BalanceThresholdAlert:
        """The ``limit_exceeded`` alert that records a refused attempt for a supervisor."""
        draft = alert_rules.rejection_alert(
            state.code, state.balance_cents, request.cents, request.performed_by, errors
        )
        return raise_alert(
            self.sql,
            state.id,
            state.code,
            draft,
            None,
            now_us,
            attempted=(request.cents, request.performed_by),
        )

    # ----------------------------------------------------------------- requests

    def _check_key(self, key: str | None) -> str | None:
        if key is None:
            return None
        # Spaces around a key are no part of it (an import strips them): " K1" is K1.
        return check_text(key, "Idempotency key", 200).strip()

    def request(
        self,
        customer_id: Any,
        agent_id: Any,
        change_amount: MoneyInput,
        change_type: Any,
        reason: Any,
        performed_by: Any,
        vip_level: Any,
        metadata: Any,
        key: str | None,
        currency: str | None = None,
    ) -> ChangeRequest:
        """Check a change's shape (no database); raises a :class:`BalanceError`."""
        if not isinstance(customer_id, str) or not customer_id:
            raise UnknownCustomerError("Name the customer to change.")
        kind = parse_change_type(change_type)
        given = None if currency is None else check_currency(currency)
        typed = typed_currency(change_amount)
        if given and typed and given != typed:
            raise InvalidInputError(
                f"The amount {change_amount!r} is in {typed}, not the {given} given."
            )
        return ChangeRequest(
            customer_code=customer_id,
            agent_code=agent_id,
            change_type=kind,
            cents=to_cents(change_amount),
            reason=check_text(reason, "Reason", MAX_REASON),
            performed_by=check_text(performed_by, "Operator", MAX_NAME),
            vip_level=None if vip_level is None else normalise_tier(vip_level),
            metadata_json=metadata_to_json(metadata),
            idempotency_key=self._check_key(key),
            currency=given or typed,
        )

    def _reject_early(
        self, customer_id: Any, change_type: Any, cents: int | None, performed_by: Any, message: str
    ) -> BalanceUpdateResult:
        """A request refused before any lock: record the attempt, return the reason."""
        self._record_rejection(
            storable_text(customer_id, 64),
            storable_text(change_type, 16),
            cents,
            storable_text(performed_by or "?", 200),
            [storable_text(message, 2_000)],
            self.now_us(),
        )
        return BalanceUpdateResult(
            False, Decimal("0.00"), ValidationResult(False, [message], []), [], None
        )

    def _record_rejection(
        self, code: str, kind: str, cents: int | None, who: str, errors: list[str], now_us: int
    ) -> None:
        with self.write_transaction():
            rejection_id = self.sql.record_rejection(
                {
                    "customer_code": code,
                    "change_type": kind,
                    "amount_cents": cents,
                    "performed_by": who,
                    "errors_json": canonical_json(errors),
                    "created_us": now_us,
                }
            )
            audit_records.record(self.db, "refusal", [rejection_id], now_us)

    # ----------------------------------------------------------------- the transaction

    def _submit(
        self, request: ChangeRequest, rules: BalanceValidationRules | None
    ) -> BalanceUpdateResult:
        outcome, notices = self._transact_keyed(lambda: self._apply(request, rules), [request])
        self.feed.publish(*notices)
        return outcome

    def _transact_keyed(self, work, requests: Sequence[ChangeRequest]):  # type: ignore[no-untyped-def]
        """``transact(work)``; a same-key insert that won a race elsewhere becomes its replay
        (or the conflict error) for a single change."""
        try:
            return self.transact(work)
        except IntegrityError as exc:
            keyed = [r for r in requests if r.idempotency_key]
            if not keyed or "idempotency_key" not in str(exc):
                raise
            if len(requests) == 1:
                with self.read_snapshot():
                    replay = self._replay(keyed[0])
                if replay is not None:
                    return replay, []
            raise IdempotencyConflictError(
                "An idempotency key of this batch was used at the same moment by another "
                "submit; nothing was written. Check the history and retry."
            ) from None

    def _replay(self, request: ChangeRequest) -> BalanceUpdateResult | None:
        if request.idempotency_key is None:
            return None
        found = self.sql.event_with_key(request.idempotency_key)
        if found is None:
            if request.approval_id is not None:  # the request's own application
                return None
            return self._replay_request(request, request.idempotency_key)
        event, stored_fingerprint = found
        if not request.matches(stored_fingerprint):
            raise IdempotencyConflictError(
                f"Idempotency key {request.idempotency_key!r} was already used for event "
                f"#{event.id} with different parameters."
            )
        alerts = self.sql.alerts_of_event(event.id, event.customer_id)
        return BalanceUpdateResult(
            True,
            event.new_balance,
            ValidationResult(True, [], list(event.warnings)),
            alerts,
            event,
            replayed=True,
        )

    def _replay_request(self, request: ChangeRequest, key: str) -> BalanceUpdateResult | None:
        """A retry of a submit that asked for approval: the request it made, as it stands
        now (an applied one was found by its event, which carries the key)."""
        keyed = approval_store.request_with_key(self.db, key)
        if keyed is None:
            return None
        request_id, stored_fingerprint = keyed
        if not request.matches(stored_fingerprint):
            raise IdempotencyConflictError(
                f"Idempotency key {key!r} was already used for approval request "
                f"#{request_id} with different parameters."
            )
        waiting = self.approval(request_id)
        state = self.sql.read_customer(waiting.customer_id, lock=False)
        balance = cents_to_decimal(state.balance_cents) if state else Decimal("0.00")
        errors = (
            []
            if waiting.status == "pending"
            else [
                f"Idempotency key {key!r} made approval request #{request_id}, which is "
                f"{waiting.status}; nothing was applied."
            ]
        )
        validation = ValidationResult(not errors, errors, [])
        return BalanceUpdateResult(
            False, balance, validation, [], None, replayed=True, request=waiting
        )

    def usage(
        self, customer_pk: int, now_us: int, releasing: int | None = None
    ) -> tuple[int, int, int]:
        """Gross usage of the trailing 24 h and 7 d, and the number of changes in the last hour.

        A window is open at its far end: an event exactly 24 h old no longer counts. A
        reversal releases the usage of what it undoes: neither counts, and ``releasing``
        (the event a reversal being checked would undo) no longer does.
        """
        return self.sql.usage(
            customer_pk, now_us - DAY_US, now_us - HOUR_US, now_us - WEEK_US, releasing or 0
        )

    def _apply(
        self,
        request: ChangeRequest,
        rules: BalanceValidationRules | None,
        batch: _BatchState | None = None,
    ) -> tuple[BalanceUpdateResult, list[Notice]]:
        """The body of one update, inside the write transaction.

        ``batch`` carries what earlier changes of the same transaction already read and
        wrote (the customer row, its usage), so a batch does not read them again.
        """
        now_us = batch.now_us if batch else self.now_us()
        if batch and request.customer_code in batch.customers:
            state: CustomerState | None = batch.customers[request.customer_code]
        else:
            state = self.sql.read_customer(request.customer_code, lock=True)
        if state is not None:
            # Read after the lock, and never before the customer's latest event: a writer
            # that waited for the lock, or whose clock is behind, still dates in order.
            now_us = max(now_us if batch else self.now_us(), state.last_event_us)
        # After the lock: a concurrent submit of the same key has committed or not started.
        replay = self._replay(request)
        if replay is not None:
            return replay, []
        refusal = self._refusal(request, state)
        if refusal is not None or state is None:
            message = refusal or f"No customer {request.customer_code!r}."
            self._record_rejection(
                request.customer_code[:64],
                request.change_type.value,
                request.cents,
                request.performed_by,
                [message],
                now_us,
            )
            balance = cents_to_decimal(state.balance_cents) if state else Decimal("0.00")
            return BalanceUpdateResult(
                False, balance, ValidationResult(False, [message], []), [], None
            ), []
        # Custom rules are not the tier's: their messages must not name the tier.
        tier_label = state.vip_level if rules is None else ""
        if rules is None and batch is not None:  # one read of a tier's rules per batch
            if state.vip_level not in batch.rules:
                batch.rules[state.vip_level] = self.rules_for(state.vip_level)
            rules = batch.rules[state.vip_level]
        rules = rules or self.rules_for(state.vip_level)
        if batch and state.id in batch.usage:
            day, week, last_hour = batch.usage[state.id]
        else:
            day, week, last_hour = self.usage(state.id, now_us, request.reverses_event_id)
        check = check_change(
            state.balance_cents,
            request.cents,
            rules,
            change_type=request.change_type,
            usage_24h_cents=day,
            usage_7d_cents=week,
            tier=tier_label,
        )
        if not check.result.is_valid:
            return self._reject(request, state, check.result, check.breaks_a_limit, now_us)
        if request.approval_id is None:
            limit = self.authority.limit_cents(request.performed_by)
            if limit is not None and abs(request.cents) > limit:
                if batch is not None:
                    message = (
                        f"{format_cents(abs(request.cents))} is above your authority of "
                        f"{format_cents(limit)}; submit it on its own to ask for approval."
                    )
                    result = ValidationResult(False, [message], list(check.result.warnings))
                    return self._reject(request, state, result, False, now_us)
                return self._ask_approval(request, state, check.result, limit, now_us)
        approval_id = request.approval_id

        new_cents = check.new_balance_cents
        sequence = state.sequence + 1
        warnings_json = canonical_json(check.result.warnings) if check.result.warnings else "[]"
        score = risk_score(request.change_type, request.cents, new_cents, last_hour, rules)
        db_user = self.session_user()
        # Only a keyed request can be replayed, so only it needs its fingerprint.
        request_hash = request.fingerprint() if request.idempotency_key else None
        fields = ChainedFields(
            customer_id=state.code,
            sequence=sequence,
            agent_id=state.agent_code,
            change_type=request.change_type.value,
            amount_cents=request.cents,
            previous_cents=state.balance_cents,
            new_cents=new_cents,
            reason=request.reason,
            performed_by=request.performed_by,
            vip_level=state.vip_level,
            metadata_json=request.metadata_json,
            risk_score=score,
            warnings_json=warnings_json,
            idempotency_key=request.idempotency_key,
            created_us=now_us,
            reverses_event_id=request.reverses_event_id,
            currency=state.currency,
            db_user=db_user,
            approval_id=approval_id,
            request_hash=request_hash,
        )
        digest = chain_hash(state.head_hash, fields)
        event_id = self.sql.append_event(
            {
                "customer_id": state.id,
                "sequence": sequence,
                "agent_code": state.agent_code,
                "currency": state.currency,
                "change_type": fields.change_type,
                "amount_cents": request.cents,
                "previous_cents": state.balance_cents,
                "new_cents": new_cents,
                "reason": request.reason,
                "performed_by": request.performed_by,
                "db_user": db_user,
                "vip_level": state.vip_level,
                "metadata_json": request.metadata_json,
                "risk_score": score,
                "warnings_json": warnings_json,
                "idempotency_key": request.idempotency_key,
                "request_hash": request_hash,
                "reverses_event_id": request.reverses_event_id,
                "created_us": now_us,
                "prev_hash": state.head_hash,
                "hash": digest,
                "approval_id": approval_id,
                "chain_version": CHAIN_VERSION,
            }
        )
        self.sql.move_balance(state.id, new_cents, sequence, digest)
        cents, kind, square = request.cents, fields.change_type, float(request.cents) ** 2
        self.sql.add_rollups(
            [
                (
                    grain,
                    bucket,
                    state.currency,
                    agent,
                    kind,
                    1,
                    cents,
                    abs(cents),
                    square,
                    cents,
                    cents,
                )
                for grain, bucket in rollup_buckets(now_us)
                for agent in (state.agent_code, EVERY_AGENT)
            ]
        )
        if batch is not None:
            gross = 0 if request.change_type is ChangeType.REVERSAL else abs(request.cents)
            batch.customers[state.code] = dataclasses.replace(
                state,
                balance_cents=new_cents,
                sequence=sequence,
                head_hash=digest,
                last_event_us=now_us,
            )
            batch.usage[state.id] = (day + gross, week + gross, last_hour + 1)

        crossing = (
            state.balance_cents >= rules.warning_cents > new_cents
            or state.balance_cents >= rules.critical_cents > new_cents
        )
        drafts = alert_rules.alerts_for_change(
            state.code,
            state.balance_cents,
            new_cents,
            rules,
            self.sql.open_alert_types(state.id) if crossing else set(),
            self.drop_share,
        )
        alerts = [
            raise_alert(self.sql, state.id, state.code, draft, event_id, now_us) for draft in drafts
        ]
        event = BalanceChangeEvent(
            id=int(event_id),
            customer_id=state.code,
            agent_id=state.agent_code,
            change_type=fields.change_type,
            amount=cents_to_decimal(request.cents),
            previous_balance=cents_to_decimal(state.balance_cents),
            new_balance=cents_to_decimal(new_cents),
            reason=request.reason,
            performed_by=request.performed_by,
            vip_level=state.vip_level,
            metadata=json.loads(request.metadata_json),
            risk_score=score,
            warnings=list(check.result.warnings),
            idempotency_key=request.idempotency_key,
            created_at=from_us(now_us),
            reverses_event_id=request.reverses_event_id,
            prev_hash=state.head_hash,
            hash=digest,
            sequence=sequence,
            currency=state.currency,
            db_user=db_user,
            approval_id=approval_id,
        )
        notices: list[Notice] = [BalanceChanged(state.code, event.id, event.new_balance)]
        notices += [AlertRaised(alert) for alert in alerts]
        return BalanceUpdateResult(True, event.new_balance, check.result, alerts, event), notices

    def _refusal(self, request: ChangeRequest, state: CustomerState | None) -> str | None:
        """Why this customer cannot take this request at all (before any figures)."""
        if state is None:
            return f"No customer {request.customer_code!r}."
        if state.status != "active":
            return f"Customer {state.code} is {state.status}; it takes no changes."
        if request.currency is not None and request.currency != state.currency:
            return (
                f"The amount is in {request.currency}; customer {state.code} keeps "
                f"{state.currency}. Nothing was converted."
            )
        if request.agent_code is not None and request.agent_code != state.agent_code:
            return (
                f"Customer {state.code} belongs to agent {state.agent_code}, "
                f"not {request.agent_code}."
            )
        if request.vip_level is not None and request.vip_level != state.vip_level:
            return (
                f"Customer {state.code} is {state.vip_level}, not {request.vip_level}; "
                "pass custom rules to validate against other limits."
            )
        if request.reverses_event_id is not None:
            reversed_by = self.sql.reversal_of(request.reverses_event_id)
            if reversed_by is not None:
                raise AlreadyReversedError(
                    f"Event #{request.reverses_event_id} was already reversed by "
                    f"event #{reversed_by}."
                )
        return None

    def _reject(
        self,
        request: ChangeRequest,
        state: CustomerState,
        result: ValidationResult,
        alert: bool,
        now_us: int,
    ) -> tuple[BalanceUpdateResult, list[Notice]]:
        self._record_rejection(
            state.code,
            request.change_type.value,
            request.cents,
            request.performed_by,
            result.errors,
            now_us,
        )
        alerts = [self._limit_alert(state, request, result.errors, now_us)] if alert else []
        outcome = BalanceUpdateResult(
            False, cents_to_decimal(state.balance_cents), result, alerts, None
        )
        return outcome, [AlertRaised(a) for a in alerts]

    # ----------------------------------------------------------------- four eyes

    def _ask_approval(
        self,
        request: ChangeRequest,
        state: CustomerState,
        result: ValidationResult,
        limit: int,
        now_us: int,
    ) -> tuple[BalanceUpdateResult, list[Notice]]:
        """Store a valid change above the maker's authority as a request for a checker."""
        maker = self.authority.login_for(request.performed_by)
        kind = request.change_type.value
        waiting = approval_store.pending_duplicate(
            self.db, state.id, maker, (kind, request.cents, request.reverses_event_id), now_us
        )
        if waiting is not None:
            message = f"This change is already waiting for approval #{waiting}."
            return self._reject(
                request, state, ValidationResult(False, [message], []), False, now_us
            )
        request_id = approval_store.insert_request(
            self.db,
            {
                "customer_id": state.id,
                "change_type": kind,
                "amount_cents": request.cents,
                "reason": request.reason,
                "metadata_json": request.metadata_json,
                "reverses_event_id": request.reverses_event_id,
                "maker": maker,
                "maker_label": request.performed_by,
                "maker_authority_cents": limit,
                "created_us": now_us,
                "expires_us": later_us(now_us, self.settings.approval_hours * HOUR_US),
                "idempotency_key": request.idempotency_key,
                "request_hash": request.fingerprint() if request.idempotency_key else None,
            },
        )
        audit_records.record(self.db, "request", [request_id], now_us)
        waiting_request = self.approval(request_id, now_us)
        outcome = BalanceUpdateResult(
            False,
            cents_to_decimal(state.balance_cents),
            result,
            [],
            None,
            request=waiting_request,
        )
        return outcome, [ApprovalRequested(waiting_request)]

    def approval_key(self, request_id: int) -> str | None:
        """The idempotency key of the submit that made a request: its event carries it."""
        return approval_store.key_of_request(self.db, request_id)

    def approval(self, request_id: int, now_us: int | None = None) -> ApprovalRequest:
        """One approval request as stored (status as of now)."""
        row = approval_store.request(
            self.db, request_id, self.now_us() if now_us is None else now_us
        )
        if row is None:
            raise UnknownApprovalError(f"No approval request #{request_id}.")
        return approval_record(row)


def approval_record(row: Mapping[str, Any]) -> ApprovalRequest:
    authority = row["maker_authority_cents"]
    return ApprovalRequest(
        id=int(row["id"]),
        customer_id=row["customer_code"],
        currency=row["currency"],
        change_type=row["change_type"],
        amount=cents_to_decimal(int(row["amount_cents"])),
        reason=row["reason"],
        metadata=json.loads(row["metadata_json"]),
        reverses_event_id=row["reverses_event_id"],
        maker=row["maker"],
        maker_label=row["maker_label"],
        maker_authority=None if authority is None else cents_to_decimal(int(authority)),
        created_at=from_us(int(row["created_us"])),
        expires_at=from_us(int(row["expires_us"])),
        status=row["status"],
        checker=row["checker"],
        checker_label=row["checker_label"],
        note=row["note"],
        decided_at=None if row["decided_us"] is None else from_us(int(row["decided_us"])),
        event_id=None if row["event_id"] is None else int(row["event_id"]),
    )
