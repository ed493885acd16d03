"""Recomputing every hash chain and balance: what ``balance-tui verify`` runs."""

from __future__ import annotations

from typing import Any

from balance_tui.domain.hashing import GENESIS_HASH, ChainedFields, chain_hash
from balance_tui.domain.money import format_cents
from balance_tui.domain.records import VerificationProblem, VerificationReport
from balance_tui.services.base import ServiceBase
from balance_tui.services.rows import tuples
from balance_tui.store.models import BalanceEvent
from balance_tui.store.models import Customer as CustomerRow


class ChainVerifier(ServiceBase):
    """Walks every customer's chain in order and names each row that does not match."""

    def verify(self) -> VerificationReport:
        customers: dict[int, tuple[Any, ...]] = {
            row[0]: row
            for row in tuples(
                CustomerRow.select(
                    CustomerRow.id,
                    CustomerRow.code,
                    CustomerRow.balance_cents,
                    CustomerRow.event_count,
                    CustomerRow.head_hash,
                )
            )
        }
        problems: list[VerificationProblem] = []
        walked: dict[int, tuple[int, int, str]] = {}
        events = 0
        query = (
            BalanceEvent.select(
                BalanceEvent.customer,
                BalanceEvent.id,
                BalanceEvent.sequence,
                BalanceEvent.agent_code,
                BalanceEvent.change_type,
                BalanceEvent.amount_cents,
                BalanceEvent.previous_cents,
                BalanceEvent.new_cents,
                BalanceEvent.reason,
                BalanceEvent.performed_by,
                BalanceEvent.vip_level,
                BalanceEvent.metadata_json,
                BalanceEvent.risk_score,
                BalanceEvent.warnings_json,
                BalanceEvent.idempotency_key,
                BalanceEvent.created_us,
                BalanceEvent.reverses_event,
                BalanceEvent.prev_hash,
                BalanceEvent.hash,
            )
            .order_by(BalanceEvent.customer, BalanceEvent.sequence)
            .tuples()
        )
        with self.db.atomic():  # one consistent snapshot of the whole trail
            for row in query.iterator():
                events += 1
                (
                    customer_pk,
                    event_id,
                    sequence,
                    agent,
                    kind,
                    amount,
                    previous,
                    new,
                    reason,
                    who,
                    tier,
                    metadata,
                    risk,
                    warnings,
                    key,
                    created_us,
                    reverses,
                    prev_hash,
                    stored_hash,
                ) = row
                code = customers[customer_pk][1] if customer_pk in customers else f"#{customer_pk}"
                count, balance, head = walked.get(customer_pk, (0, 0, GENESIS_HASH))

                def problem(text: str, event: int | None = event_id, who_: str = code) -> None:
                    problems.append(VerificationProblem(who_, event, text))

                if sequence != count + 1:
                    problem(
                        f"event #{event_id} has sequence {sequence}, expected {count + 1} "
                        "(a row is missing or out of place)"
                    )
                if prev_hash != head:
                    problem(
                        f"event #{event_id} prev_hash does not match the hash of the "
                        "event before it"
                    )
                if previous != balance:
                    problem(
                        f"event #{event_id} previous balance {format_cents(previous)} does "
                        f"not match the running balance {format_cents(balance)}"
                    )
                if new != previous + amount:
                    problem(
                        f"event #{event_id} new balance {format_cents(new)} is not previous "
                        f"{format_cents(previous)} plus amount {format_cents(amount)}"
                    )
                fields = ChainedFields(
                    customer_id=code,
                    sequence=sequence,
                    agent_id=agent,
                    change_type=kind,
                    amount_cents=amount,
                    previous_cents=previous,
                    new_cents=new,
                    reason=reason,
                    performed_by=who,
                    vip_level=tier,
                    metadata_json=metadata,
                    risk_score=risk,
                    warnings_json=warnings,
                    idempotency_key=key,
                    created_us=created_us,
                    reverses_event_id=reverses,
                )
                if chain_hash(prev_hash, fields) != stored_hash:
                    problem(
                        f"event #{event_id} hash does not match its contents (the row was altered)"
                    )
                walked[customer_pk] = (sequence, balance + amount, stored_hash)
            for pk, (_, code, balance, count, head) in customers.items():
                seen_count, seen_balance, seen_head = walked.get(pk, (0, 0, GENESIS_HASH))
                if balance != seen_balance:
                    problems.append(
                        VerificationProblem(
                            code,
                            None,
                            f"stored balance {format_cents(balance)} differs from the sum "
                            f"of its events {format_cents(seen_balance)}",
                        )
                    )
                if count != seen_count or head != seen_head:
                    problems.append(
                        VerificationProblem(
                            code,
                            None,
                            f"customer row says {count} events ending in hash {head[:12]}..., "
                            f"the trail has {seen_count} ending in {seen_head[:12]}...",
                        )
                    )
        return VerificationReport(len(customers), events, problems)
