"""BalanceManager: customers and balance changes, each change one locked transaction."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from peewee import Case, fn

from balance_tui.domain import alerts as alert_rules
from balance_tui.domain.changes import ChangeType, parse_change_type, signed_from_typed
from balance_tui.domain.errors import (
    AlreadyReversedError,
    BalanceError,
    DuplicateCustomerError,
    IdempotencyConflictError,
    InvalidInputError,
    UnknownCustomerError,
    UnknownEventError,
)
from balance_tui.domain.hashing import GENESIS_HASH, ChainedFields, canonical_json, chain_hash
from balance_tui.domain.money import MoneyInput, cents_to_decimal, to_cents
from balance_tui.domain.records import (
    BalanceChange,
    BalanceChangeEvent,
    BalanceReport,
    BalanceThresholdAlert,
    BalanceUpdateResult,
    BatchResult,
    ChangePreview,
    Customer,
    CustomerSummary,
    ValidationResult,
)
from balance_tui.domain.risk import risk_score
from balance_tui.domain.tiers import BalanceValidationRules, normalise_tier
from balance_tui.domain.validation import check_change
from balance_tui.services.base import ServiceBase
from balance_tui.services.clock import DAY_US, HOUR_US, WEEK_US, from_us
from balance_tui.services.feed import AlertRaised, BalanceChanged
from balance_tui.services.hot_sql import HotStatements
from balance_tui.services.rows import (
    alert_from_tuple,
    customer_from_tuple,
    event_from_tuple,
    select_alerts,
    select_customers,
    select_events,
    tuples,
)
from balance_tui.store.models import Agent, Alert, BalanceEvent, RejectedAttempt
from balance_tui.store.models import Customer as CustomerRow

_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_REASON = 500
MAX_NAME = 200


@dataclass(frozen=True)
class _CustomerState:
    """The locked customer row an update works on."""

    id: int
    code: str
    name: str
    agent_code: str
    vip_level: str
    currency: str
    status: str
    balance_cents: int
    sequence: int
    head_hash: str
    created_us: int

    def record(self) -> Customer:
        return Customer(
            self.code,
            self.name,
            self.agent_code,
            self.vip_level,
            self.currency,
            self.status,
            cents_to_decimal(self.balance_cents),
            from_us(self.created_us),
        )


@dataclass(frozen=True)
class _Request:
    """A validated-for-shape change request, ready to go under the lock."""

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

    def fingerprint(self) -> str:
        body = canonical_json(
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
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass
class _BatchState:
    """What a batch has read and written so far, inside its one transaction."""

    now_us: int
    customers: dict[str, _CustomerState] = field(default_factory=dict)
    usage: dict[int, tuple[int, int, int]] = field(default_factory=dict)


def check_code(value: Any, what: str) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        raise InvalidInputError(
            f"{what} {value!r} is not valid: use 1-64 letters, digits, '_', '.' or '-'."
        )
    return value


def check_text(value: Any, what: str, limit: int, *, required: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInputError(f"{what} must be text.")
    if required and not value.strip():
        raise InvalidInputError(f"Give a {what.lower()}; every change is audited.")
    if len(value) > limit:
        raise InvalidInputError(f"{what} is {len(value)} characters; the limit is {limit}.")
    if "\x00" in value:
        raise InvalidInputError(f"{what} contains a NUL character, which cannot be stored.")
    return value


def metadata_to_json(metadata: Mapping[str, Any] | None) -> str:
    if metadata is None:
        return "{}"
    if not isinstance(metadata, Mapping):
        raise InvalidInputError("Metadata must be a JSON object (a mapping of names to values).")
    try:
        text = canonical_json(dict(metadata))
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"Metadata cannot be stored as JSON: {exc}.") from None
    if "\\u0000" in text:
        raise InvalidInputError("Metadata contains a NUL character, which cannot be stored.")
    if len(text) > 10_000:
        raise InvalidInputError("Metadata is over 10,000 characters of JSON.")
    return text


class BalanceManager(ServiceBase):
    """Creates customers and applies balance changes: validated, audited, alerted, atomic."""

    @cached_property
    def hot(self) -> HotStatements:
        return HotStatements.for_database(self.db, self.postgres)

    # ----------------------------------------------------------------- customers

    def create_customer(
        self,
        customer_id: str,
        agent_id: str,
        name: str = "",
        vip_level: str = "bronze",
        currency: str = "USD",
    ) -> Customer:
        """Create a customer (and its agent when new) with a zero balance."""
        code = check_code(customer_id, "Customer id")
        agent_code = check_code(agent_id, "Agent id")
        name = check_text(name, "Name", MAX_NAME, required=False)
        tier = normalise_tier(vip_level)
        if not isinstance(currency, str) or not _CURRENCY.match(currency.upper()):
            raise InvalidInputError(f"Currency {currency!r} is not a 3-letter code like USD.")
        currency = currency.upper()
        now_us = self.now_us()
        with self.write_transaction():
            if CustomerRow.select().where(CustomerRow.code == code).exists():
                raise DuplicateCustomerError(f"Customer {code} already exists.")
            agent = Agent.get_or_none(Agent.code == agent_code)
            if agent is None:
                agent = Agent.create(code=agent_code, name=agent_code, created_us=now_us)
            CustomerRow.insert(
                code=code,
                name=name,
                agent=agent.id,
                vip_level=tier,
                currency=currency,
                status="active",
                balance_cents=0,
                event_count=0,
                head_hash=GENESIS_HASH,
                created_us=now_us,
            ).execute()
        return Customer(
            code, name, agent_code, tier, currency, "active", cents_to_decimal(0), from_us(now_us)
        )

    def set_customer_status(self, customer_id: str, status: str) -> Customer:
        """Close (``closed``) or reopen (``active``) a customer; closed ones take no changes."""
        if status not in ("active", "closed"):
            raise InvalidInputError("A customer's status is 'active' or 'closed'.")
        with self.write_transaction():
            updated = (
                CustomerRow.update(status=status).where(CustomerRow.code == customer_id).execute()
            )
            if not updated:
                raise UnknownCustomerError(f"No customer {customer_id!r}.")
        return self.get_customer(customer_id)

    def get_customer(self, customer_id: str) -> Customer:
        row = select_customers().where(CustomerRow.code == customer_id).tuples().first()
        if row is None:
            raise UnknownCustomerError(f"No customer {customer_id!r}.")
        return customer_from_tuple(row)

    def count_customers(self) -> int:
        return CustomerRow.select().count()

    def list_customers(
        self,
        search: str | None = None,
        *,
        agent_id: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[CustomerSummary]:
        """Customers ordered by id, filtered by a substring of id, name or agent."""
        query = select_customers().order_by(CustomerRow.code)
        if search:
            pattern = f"%{search.strip()}%"
            query = query.where(
                CustomerRow.code.ilike(pattern)
                | CustomerRow.name.ilike(pattern)
                | Agent.code.ilike(pattern)
            )
        if agent_id:
            query = query.where(Agent.code == agent_id)
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        customers = [customer_from_tuple(row) for row in query.tuples()]
        return self.summarise(customers)

    def summarise(self, customers: list[Customer]) -> list[CustomerSummary]:
        """Attach 24 h / 7 d usage and active alert counts to customers (two grouped queries)."""
        if not customers:
            return []
        now_us = self.now_us()
        ids = {c.id for c in customers}
        few = len(ids) <= 500
        usage_query = (
            BalanceEvent.select(
                CustomerRow.code,
                fn.SUM(
                    Case(
                        None,
                        [
                            (
                                BalanceEvent.created_us > now_us - DAY_US,
                                fn.ABS(BalanceEvent.amount_cents),
                            )
                        ],
                        0,
                    )
                ),
                fn.SUM(fn.ABS(BalanceEvent.amount_cents)),
            )
            .join(CustomerRow)
            .where(BalanceEvent.created_us > now_us - WEEK_US)
            .group_by(CustomerRow.code)
        )
        alert_query = (
            Alert.select(CustomerRow.code, fn.COUNT(Alert.id))
            .join(CustomerRow)
            .where(Alert.acknowledged_us.is_null())
            .group_by(CustomerRow.code)
        )
        if few:
            usage_query = usage_query.where(CustomerRow.code.in_(list(ids)))
            alert_query = alert_query.where(CustomerRow.code.in_(list(ids)))
        usage = {code: (int(d or 0), int(w or 0)) for code, d, w in tuples(usage_query)}
        open_alerts: dict[str, int] = dict(tuples(alert_query))
        summaries = []
        for customer in customers:
            rules = self.rulebook.rules_for(customer.vip_level)
            day, week = usage.get(customer.id, (0, 0))
            summaries.append(
                CustomerSummary(
                    customer=customer,
                    usage_24h=cents_to_decimal(day),
                    usage_7d=cents_to_decimal(week),
                    daily_limit=rules.daily_change_limit,
                    weekly_limit=rules.weekly_change_limit,
                    active_alerts=int(open_alerts.get(customer.id, 0)),
                )
            )
        return summaries

    # ----------------------------------------------------------------- changes

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
    ) -> BalanceUpdateResult:
        """Apply one change: validate, write the hashed audit row, the balance and alerts.

        Bad input comes back as a rejected result (``success`` False, the reasons in
        ``validation.errors``); nothing is written to the balance. A rejection for a limit
        or a min/max breach raises a ``limit_exceeded`` alert. Reusing an idempotency key
        with other parameters raises :class:`IdempotencyConflictError`.
        """
        try:
            request = self._request(
                customer_id,
                agent_id,
                change_amount,
                change_type,
                reason,
                performed_by,
                vip_level,
                metadata,
                idempotency_key,
            )
        except BalanceError as exc:
            return self._reject_early(customer_id, change_type, None, performed_by, str(exc))
        return self._submit(request, rules)

    def update_balances(self, changes: Sequence[BalanceChange]) -> BatchResult:
        """Apply many changes in one transaction, all or nothing (like linked transfers).

        Each change is validated against the balances and usage the earlier changes of the
        batch leave behind. If one is refused, nothing of the batch is written; the result
        names the change (``failed_index``) and why, and that refused attempt is recorded
        (with its ``limit_exceeded`` alert when a limit was the reason).
        """
        requests: list[_Request] = []
        for index, change in enumerate(changes):
            try:
                requests.append(
                    self._request(
                        change.customer_id,
                        change.agent_id,
                        change.change_amount,
                        change.change_type,
                        change.reason,
                        change.performed_by,
                        None,
                        change.metadata,
                        change.idempotency_key,
                    )
                )
            except BalanceError as exc:
                return BatchResult(False, [], index, [f"Change {index + 1}: {exc}"])

        class _Refused(Exception):
            def __init__(self, index: int, outcome: BalanceUpdateResult) -> None:
                self.index, self.outcome = index, outcome

        def apply_all() -> tuple[list[BalanceUpdateResult], list[Any]]:
            results, notices = [], []
            batch = _BatchState(self.now_us())  # one moment for the whole batch
            for index, request in enumerate(requests):
                outcome, more = self._apply(request, None, batch)
                if not outcome.success:
                    raise _Refused(index, outcome)
                results.append(outcome)
                notices += more
            return results, notices

        try:
            results, notices = self.transact(apply_all)
        except _Refused as refused:
            request = requests[refused.index]
            reasons = refused.outcome.validation.errors
            limit = bool(refused.outcome.alerts)
            # The batch rolled back and the refusal's records with it: write them on their own
            # (never re-submit the change, which could pass without the batch before it).
            self.feed.publish(
                *self.transact(lambda: self._record_batch_refusal(request, reasons, limit))
            )
            errors = [f"Change {refused.index + 1} ({request.customer_code}): {e}" for e in reasons]
            return BatchResult(False, [], refused.index, errors)
        self.feed.publish(*notices)
        return BatchResult(True, results)

    def _record_batch_refusal(self, request: _Request, errors: list[str], limit: bool) -> list[Any]:
        now_us = self.now_us()
        self._record_rejection(
            request.customer_code[:64],
            request.change_type.value,
            request.cents,
            request.performed_by,
            errors,
            now_us,
        )
        state = self._read_customer(request.customer_code, lock=False)
        if not limit or state is None:
            return []
        draft = alert_rules.rejection_alert(
            state.code, state.balance_cents, request.cents, request.performed_by, errors
        )
        alert = write_alert(
            state.id, state.code, draft, None, now_us, (request.cents, request.performed_by)
        )
        return [AlertRaised(alert)]

    def reverse_event(
        self,
        event_id: int,
        performed_by: str,
        reason: str,
        *,
        idempotency_key: str | None = None,
    ) -> BalanceUpdateResult:
        """Undo an event with a new ``reversal`` event pointing at it (at most once)."""
        original = (
            BalanceEvent.select(
                BalanceEvent.id,
                CustomerRow.code,
                BalanceEvent.agent_code,
                BalanceEvent.change_type,
                BalanceEvent.amount_cents,
            )
            .join(CustomerRow)
            .where(BalanceEvent.id == event_id)
            .tuples()
            .first()
        )
        if original is None:
            raise UnknownEventError(f"No balance change event #{event_id}.")
        _, code, agent_code, kind, cents = original
        if kind == ChangeType.REVERSAL:
            raise InvalidInputError(
                f"Event #{event_id} is itself a reversal and cannot be reversed."
            )
        try:
            request = _Request(
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

    def preview_balance_change(
        self,
        customer_id: str,
        change_amount: MoneyInput,
        change_type: str,
        *,
        rules: BalanceValidationRules | None = None,
    ) -> ChangePreview:
        """What the change would do now (read-only), with the same validator as an update."""
        kind = parse_change_type(change_type)
        cents = signed_from_typed(kind, to_cents(change_amount))
        state = self._read_customer(customer_id, lock=False)
        if state is None:
            raise UnknownCustomerError(f"No customer {customer_id!r}.")
        # Custom rules are not the tier's: their messages must not name the tier.
        tier_label = state.vip_level if rules is None else ""
        rules = rules or self.rulebook.rules_for(state.vip_level)
        day, week, _ = self._usage(state.id, self.now_us())
        check = check_change(
            state.balance_cents,
            cents,
            rules,
            change_type=kind,
            usage_24h_cents=day,
            usage_7d_cents=week,
            tier=tier_label,
        )
        errors = list(check.result.errors)
        if state.status != "active":
            errors.insert(0, f"Customer {state.code} is {state.status}; it takes no changes.")
        return ChangePreview(
            customer=state.record(),
            current_balance=cents_to_decimal(state.balance_cents),
            new_balance=cents_to_decimal(check.new_balance_cents),
            usage_24h=cents_to_decimal(check.usage_24h_cents),
            usage_7d=cents_to_decimal(check.usage_7d_cents),
            rules=rules,
            validation=ValidationResult(not errors, errors, check.result.warnings),
            sequence=state.sequence,
        )

    def get_customer_balance_report(
        self,
        customer_id: str,
        include_history: bool = False,
        include_alerts: bool = False,
        *,
        history_limit: int = 50,
    ) -> BalanceReport:
        """The customer's balance, rules and usage; history and active alerts on request."""
        state = self._read_customer(customer_id, lock=False)
        if state is None:
            raise UnknownCustomerError(f"No customer {customer_id!r}.")
        day, week, _ = self._usage(state.id, self.now_us())
        history = None
        if include_history:
            rows = (
                select_events()
                .where(BalanceEvent.customer == state.id)
                .order_by(BalanceEvent.sequence.desc())
                .limit(history_limit)
                .tuples()
            )
            history = [event_from_tuple(row) for row in rows]
        alerts = None
        if include_alerts:
            rows = (
                select_alerts()
                .where((Alert.customer == state.id) & Alert.acknowledged_us.is_null())
                .order_by(Alert.id.desc())
                .tuples()
            )
            alerts = [alert_from_tuple(row) for row in rows]
        return BalanceReport(
            customer=state.record(),
            current_balance=cents_to_decimal(state.balance_cents),
            rules=self.rulebook.rules_for(state.vip_level),
            usage_24h=cents_to_decimal(day),
            usage_7d=cents_to_decimal(week),
            history=history,
            alerts=alerts,
        )

    # ----------------------------------------------------------------- internals

    def _check_key(self, key: str | None) -> str | None:
        if key is None:
            return None
        return check_text(key, "Idempotency key", 200)

    def _request(
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
    ) -> _Request:
        if not isinstance(customer_id, str) or not customer_id:
            raise UnknownCustomerError("Name the customer to change.")
        kind = parse_change_type(change_type)
        return _Request(
            customer_code=customer_id,
            agent_code=agent_id,
            change_type=kind,
            cents=to_cents(change_amount),
            reason=check_text(reason, "Reason", MAX_REASON),
            performed_by=check_text(performed_by, "Operator", MAX_NAME),
            vip_level=None if vip_level is None else normalise_tier(vip_level),
            metadata_json=metadata_to_json(metadata),
            idempotency_key=self._check_key(key),
        )

    def _reject_early(
        self, customer_id: Any, change_type: Any, cents: int | None, performed_by: Any, message: str
    ) -> BalanceUpdateResult:
        """A request refused before any lock: record the attempt, return the reason."""
        self._record_rejection(
            str(customer_id)[:64],
            str(change_type)[:16],
            cents,
            str(performed_by or "?")[:200],
            [message],
            self.now_us(),
        )
        return BalanceUpdateResult(
            False, Decimal("0.00"), ValidationResult(False, [message], []), [], None
        )

    def _record_rejection(
        self, code: str, kind: str, cents: int | None, who: str, errors: list[str], now_us: int
    ) -> None:
        with self.write_transaction():
            RejectedAttempt.insert(
                customer_code=code,
                change_type=kind,
                amount_cents=cents,
                performed_by=who,
                errors_json=canonical_json(errors),
                created_us=now_us,
            ).execute()

    def _read_customer(self, code: str, *, lock: bool) -> _CustomerState | None:
        sql = self.hot.read_customer
        if not lock and self.postgres:
            sql = sql.removesuffix(" FOR UPDATE OF c")
        row = self.db.execute_sql(sql, (code,)).fetchone()
        return None if row is None else _CustomerState(*row)

    def _usage(self, customer_pk: int, now_us: int) -> tuple[int, int, int]:
        """Gross usage of the trailing 24 h and 7 d, and the number of changes in the last hour.

        A window is open at its far end: an event exactly 24 h old no longer counts.
        """
        row = self.db.execute_sql(
            self.hot.usage, (now_us - DAY_US, now_us - HOUR_US, customer_pk, now_us - WEEK_US)
        ).fetchone()
        return int(row[0]), int(row[1]), int(row[2])

    def _submit(
        self, request: _Request, rules: BalanceValidationRules | None
    ) -> BalanceUpdateResult:
        outcome, notices = self.transact(lambda: self._apply(request, rules))
        self.feed.publish(*notices)
        return outcome

    def _replay(self, request: _Request) -> BalanceUpdateResult | None:
        if request.idempotency_key is None:
            return None
        row = (
            select_events()
            .where(BalanceEvent.idempotency_key == request.idempotency_key)
            .tuples()
            .first()
        )
        if row is None:
            return None
        stored_hash = (
            BalanceEvent.select(BalanceEvent.request_hash).where(BalanceEvent.id == row[0]).scalar()
        )
        if stored_hash != request.fingerprint():
            raise IdempotencyConflictError(
                f"Idempotency key {request.idempotency_key!r} was already used for event "
                f"#{row[0]} with different parameters."
            )
        event = event_from_tuple(row)
        alerts = [
            alert_from_tuple(r)
            for r in select_alerts().where(Alert.event == event.id).order_by(Alert.id).tuples()
        ]
        return BalanceUpdateResult(
            True,
            event.new_balance,
            ValidationResult(True, [], list(event.warnings)),
            alerts,
            event,
            replayed=True,
        )

    def _apply(
        self,
        request: _Request,
        rules: BalanceValidationRules | None,
        batch: _BatchState | None = None,
    ) -> tuple[BalanceUpdateResult, list[Any]]:
        """The body of one update, inside the write transaction.

        ``batch`` carries what earlier changes of the same transaction already read and
        wrote (the customer row, its usage), so a batch does not read them again.
        """
        replay = self._replay(request)
        if replay is not None:
            return replay, []
        now_us = batch.now_us if batch else self.now_us()
        if batch and request.customer_code in batch.customers:
            state: _CustomerState | None = batch.customers[request.customer_code]
        else:
            state = self._read_customer(request.customer_code, lock=True)
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
        rules = rules or self.rulebook.rules_for(state.vip_level)
        if batch and state.id in batch.usage:
            day, week, last_hour = batch.usage[state.id]
        else:
            day, week, last_hour = self._usage(state.id, now_us)
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

        new_cents = check.new_balance_cents
        sequence = state.sequence + 1
        warnings_json = canonical_json(check.result.warnings) if check.result.warnings else "[]"
        score = risk_score(request.change_type, request.cents, new_cents, last_hour, rules)
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
        )
        digest = chain_hash(state.head_hash, fields)
        db_user = self.session_user()
        event_id = self.hot.insert(
            self.db,
            (
                state.id,
                sequence,
                state.agent_code,
                state.currency,
                fields.change_type,
                request.cents,
                state.balance_cents,
                new_cents,
                request.reason,
                request.performed_by,
                db_user,
                state.vip_level,
                request.metadata_json,
                score,
                warnings_json,
                request.idempotency_key,
                # Only a keyed request can be replayed, so only it needs its fingerprint.
                request.fingerprint() if request.idempotency_key else None,
                request.reverses_event_id,
                now_us,
                state.head_hash,
                digest,
            ),
        )
        self.db.execute_sql(self.hot.update_customer, (new_cents, sequence, digest, state.id))
        if batch is not None:
            gross = abs(request.cents)
            batch.customers[state.code] = dataclasses.replace(
                state, balance_cents=new_cents, sequence=sequence, head_hash=digest
            )
            batch.usage[state.id] = (day + gross, week + gross, last_hour + 1)

        drafts = alert_rules.alerts_for_change(
            state.code,
            state.balance_cents,
            new_cents,
            rules,
            self._open_threshold_alerts(state.id, state.balance_cents, new_cents, rules),
            self.drop_share,
        )
        alerts = [self._write_alert(state, draft, event_id, now_us) for draft in drafts]
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
        )
        notices: list[Any] = [BalanceChanged(state.code, event.id, event.new_balance)]
        notices += [AlertRaised(alert) for alert in alerts]
        return BalanceUpdateResult(True, event.new_balance, check.result, alerts, event), notices

    def _refusal(self, request: _Request, state: _CustomerState | None) -> str | None:
        """Why this customer cannot take this request at all (before any figures)."""
        if state is None:
            return f"No customer {request.customer_code!r}."
        if state.status != "active":
            return f"Customer {state.code} is {state.status}; it takes no changes."
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
            reversed_by = (
                BalanceEvent.select(BalanceEvent.id)
                .where(BalanceEvent.reverses_event == request.reverses_event_id)
                .scalar()
            )
            if reversed_by is not None:
                raise AlreadyReversedError(
                    f"Event #{request.reverses_event_id} was already reversed by "
                    f"event #{reversed_by}."
                )
        return None

    def _reject(
        self,
        request: _Request,
        state: _CustomerState,
        result: ValidationResult,
        alert: bool,
        now_us: int,
    ) -> tuple[BalanceUpdateResult, list[Any]]:
        self._record_rejection(
            state.code,
            request.change_type.value,
            request.cents,
            request.performed_by,
            result.errors,
            now_us,
        )
        alerts = []
        if alert:
            draft = alert_rules.rejection_alert(
                state.code, state.balance_cents, request.cents, request.performed_by, result.errors
            )
            alerts.append(
                self._write_alert(
                    state, draft, None, now_us, attempted=(request.cents, request.performed_by)
                )
            )
        outcome = BalanceUpdateResult(
            False, cents_to_decimal(state.balance_cents), result, alerts, None
        )
        return outcome, [AlertRaised(a) for a in alerts]

    def _open_threshold_alerts(
        self, customer_pk: int, previous: int, new: int, rules: BalanceValidationRules
    ) -> set[str]:
        crossing = previous >= rules.warning_cents > new or previous >= rules.critical_cents > new
        if not crossing:
            return set()
        return open_alert_types(customer_pk)

    def _write_alert(
        self,
        state: _CustomerState,
        draft: alert_rules.AlertDraft,
        event_id: int | None,
        now_us: int,
        attempted: tuple[int, str] | None = None,
    ) -> BalanceThresholdAlert:
        return write_alert(state.id, state.code, draft, event_id, now_us, attempted)

    def customers_by_ids(self, codes: Iterable[str]) -> list[CustomerSummary]:
        """Fresh summaries of some customers (for refreshing visible rows)."""
        wanted = list(dict.fromkeys(codes))
        if not wanted:
            return []
        rows = select_customers().where(CustomerRow.code.in_(wanted)).tuples()
        return self.summarise([customer_from_tuple(row) for row in rows])


def open_alert_types(customer_pk: int) -> set[str]:
    """Alert types with an unacknowledged alert open for the customer."""
    rows = tuples(
        Alert.select(Alert.alert_type)
        .distinct()
        .where((Alert.customer == customer_pk) & Alert.acknowledged_us.is_null())
    )
    return {row[0] for row in rows}


def write_alert(
    customer_pk: int,
    customer_code: str,
    draft: alert_rules.AlertDraft,
    event_id: int | None,
    now_us: int,
    attempted: tuple[int, str] | None = None,
) -> BalanceThresholdAlert:
    """Insert one alert row (inside the caller's transaction) and return it as a record."""
    attempted_cents, attempted_by = attempted if attempted else (None, None)
    alert_id = Alert.insert(
        customer=customer_pk,
        alert_type=draft.alert_type,
        message=draft.message,
        balance_cents=draft.balance_cents,
        threshold_cents=draft.threshold_cents,
        event=event_id,
        attempted_cents=attempted_cents,
        attempted_by=attempted_by,
        created_us=now_us,
    ).execute()
    return BalanceThresholdAlert(
        id=int(alert_id),
        customer_id=customer_code,
        alert_type=draft.alert_type,
        message=draft.message,
        balance=cents_to_decimal(draft.balance_cents),
        threshold=None
        if draft.threshold_cents is None
        else cents_to_decimal(draft.threshold_cents),
        event_id=event_id,
        created_at=from_us(now_us),
        acknowledged_at=None,
        acknowledged_by=None,
        attempted_amount=None if attempted_cents is None else cents_to_decimal(attempted_cents),
        attempted_by=attempted_by,
    )
