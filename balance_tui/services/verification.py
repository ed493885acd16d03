"""Recomputing every hash chain and balance: what ``balance-tui verify`` runs.

The whole check reads one snapshot of the book (the customer rows and every event as of
the same moment), so a change committed meanwhile can neither make a clean book look
tampered nor hold up the operators who post it: verify takes no write lock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from peewee import Database

from balance_tui.domain.hashing import GENESIS_HASH, ChainedFields, chain_hash
from balance_tui.domain.money import format_cents
from balance_tui.domain.records import VerificationProblem, VerificationReport
from balance_tui.domain.rollups import DAY, DAY_US, HOUR, HOUR_US
from balance_tui.services import audit_records
from balance_tui.services.base import ServiceBase
from balance_tui.services.clock import from_us
from balance_tui.services.event_checks import EventRulesCheck
from balance_tui.store import rollups as rollup_store
from balance_tui.store import verification as scan
from balance_tui.store.trusted_triggers import missing_triggers

#: ``progress(events_checked, events_total)`` is called this often (and once at the start).
PROGRESS_EVERY = 10_000
Progress = Callable[[int, int], None]


class ChainVerifier(ServiceBase):
    """Walks every customer's chain in order and names each row that does not match."""

    def verify(self, *, progress: Progress | None = None) -> VerificationReport:
        """Check every chain and balance in one snapshot; ``progress`` hears how far it got."""
        with self.read_snapshot():
            customers = scan.customer_heads(self.db)
            total = scan.count_events(self.db) if progress else 0
            if progress:
                progress(0, total)
            problems: list[VerificationProblem] = []
            walked: dict[int, tuple[int, int, str]] = {}
            rules_check = EventRulesCheck(self.db)
            events = 0
            for row in scan.events_in_chain_order(self.db):
                events += 1
                customer_pk = row["customer_id"]
                code = customers[customer_pk][0] if customer_pk in customers else f"#{customer_pk}"
                walked[customer_pk] = self._check_event(row, code, walked, problems)
                problems += rules_check.check(row, code)
                if progress and (events == 1 or events % PROGRESS_EVERY == 0):
                    progress(events, total)
            audited, audit_problems = audit_records.verify(self.db)
            audit_problems += rollup_problems(self.db)
            audit_problems += [
                VerificationProblem("triggers", None, f"trigger {name} is missing or disabled")
                for name in missing_triggers(self.db)
            ]
        for pk, (code, balance, count, head) in customers.items():
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
        if progress:
            progress(events, max(total, events))
        return VerificationReport(len(customers), events, problems + audit_problems, audited)

    @staticmethod
    def _check_event(
        row: dict[str, object],
        code: str,
        walked: dict[int, tuple[int, int, str]],
        problems: list[VerificationProblem],
    ) -> tuple[int, int, str]:
        """Check one event against the running state of its chain; returns the new state."""
        event_id = int(row["id"])  # type: ignore[call-overload]
        sequence = int(row["sequence"])  # type: ignore[call-overload]
        previous = int(row["previous_cents"])  # type: ignore[call-overload]
        amount = int(row["amount_cents"])  # type: ignore[call-overload]
        new = int(row["new_cents"])  # type: ignore[call-overload]
        count, balance, head = walked.get(int(row["customer_id"]), (0, 0, GENESIS_HASH))  # type: ignore[call-overload]

        def problem(text: str) -> None:
            problems.append(VerificationProblem(code, event_id, text))

        if sequence != count + 1:
            problem(
                f"event #{event_id} has sequence {sequence}, expected {count + 1} "
                "(a row is missing or out of place)"
            )
        if row["prev_hash"] != head:
            problem(f"event #{event_id} prev_hash does not match the hash of the event before it")
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
        fields = event_fields(row, code)
        if chain_hash(str(row["prev_hash"]), fields) != row["hash"]:
            problem(f"event #{event_id} hash does not match its contents (the row was altered)")
        return sequence, balance + amount, str(row["hash"])


def event_fields(row: Mapping[str, object], code: str) -> ChainedFields:
    """What an event's hash covers, from its stored row (``code``: its customer's)."""
    amount = int(row["amount_cents"])  # type: ignore[call-overload]
    previous = int(row["previous_cents"])  # type: ignore[call-overload]
    new = int(row["new_cents"])  # type: ignore[call-overload]
    sequence = int(row["sequence"])  # type: ignore[call-overload]
    return ChainedFields(
        customer_id=code,
        sequence=sequence,
        agent_id=str(row["agent_code"]),
        change_type=str(row["change_type"]),
        amount_cents=amount,
        previous_cents=previous,
        new_cents=new,
        reason=str(row["reason"]),
        performed_by=str(row["performed_by"]),
        vip_level=str(row["vip_level"]),
        metadata_json=str(row["metadata_json"]),
        risk_score=int(row["risk_score"]),  # type: ignore[call-overload]
        warnings_json=str(row["warnings_json"]),
        idempotency_key=row["idempotency_key"],  # type: ignore[arg-type]
        created_us=int(row["created_us"]),  # type: ignore[call-overload]
        reverses_event_id=row["reverses_event_id"],  # type: ignore[arg-type]
        currency=str(row["currency"]),
        db_user=row["db_user"],  # type: ignore[arg-type]
        approval_id=row["approval_id"],  # type: ignore[arg-type]
        chain_version=int(row["chain_version"]),  # type: ignore[call-overload]
        request_hash=row["request_hash"],  # type: ignore[arg-type]
    )


#: Float sums of squares may differ in their last bits with the order of addition.
SQUARES_TOLERANCE = 1e-9


#: The rollups are checked this many days at a time: memory holds one window's buckets, not
#: the book's (all of them at once held 5 GB at 10^7 events).
ROLLUP_WINDOW_DAYS = 7


def rollup_problems(db: Database) -> list[VerificationProblem]:
    """Each rollup row that disagrees with the events (inside the caller's snapshot)."""
    span = rollup_store.time_span(db)
    if span is None:
        return []
    window = ROLLUP_WINDOW_DAYS * DAY_US
    start = span[0] - span[0] % DAY_US
    problems: list[VerificationProblem] = []
    while start <= span[1]:
        problems += _window_problems(db, start, start + window)
        start += window
    return problems


def _window_problems(db: Database, start: int, end: int) -> list[VerificationProblem]:
    stored = rollup_store.stored(db, start, end)
    expected = rollup_store.from_events(db, ((DAY, DAY_US), (HOUR, HOUR_US)), start, end)
    problems = []
    for key in sorted(set(stored) | set(expected), key=str):
        grain, bucket, currency, agent, kind = key
        where = (
            f"rollup {'day' if grain == DAY else 'hour'} {from_us(int(bucket)):%Y-%m-%d %H:%M} "
            f"{currency} {agent or 'all agents'} {kind}"
        )
        have, want = stored.get(key), expected.get(key)
        if have is None:
            problems.append(VerificationProblem("rollups", None, f"{where} is missing"))
        elif want is None:
            problems.append(
                VerificationProblem(
                    "rollups", None, f"{where} counts {have[0]} events; the events say none"
                )
            )
        elif not _same_rollup(have, want):
            problems.append(
                VerificationProblem(
                    "rollups",
                    None,
                    f"{where}: stored {have[0]} events, net {format_cents(int(have[1]))}; "
                    f"the events say {want[0]}, net {format_cents(int(want[1]))}",
                )
            )
    return problems


def _same_rollup(have: tuple[object, ...], want: tuple[object, ...]) -> bool:
    exact = [0, 1, 2, 4, 5]
    if any(int(have[i]) != int(want[i]) for i in exact):  # type: ignore[call-overload]
        return False
    a, b = float(have[3]), float(want[3])  # type: ignore[arg-type]
    return abs(a - b) <= SQUARES_TOLERANCE * max(abs(a), abs(b), 1.0)
