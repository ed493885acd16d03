"""Realistic demo data: agents, customers in every tier, months of balance activity.

Deterministic for a seed and a clock. Written by a bulk path that computes exactly what
``BalanceManager.update_balance`` would (tier limits over trailing windows, risk scores,
warnings, alerts with de-duplication, the hash chain) and inserts it with ``executemany``
in large transactions, so a million events take well under a minute and ``verify`` passes.
"""

from __future__ import annotations

import itertools
import math
import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

from balance_tui.domain import alerts as alert_rules
from balance_tui.domain.changes import ChangeType
from balance_tui.domain.errors import InvalidInputError, NotAuthorisedError
from balance_tui.domain.hashing import (
    GENESIS_HASH,
    canonical_json,
)
from balance_tui.domain.record import record
from balance_tui.domain.risk import risk_score
from balance_tui.domain.tiers import BalanceValidationRules
from balance_tui.domain.validation import check_change
from balance_tui.services.authority import AuthorityService
from balance_tui.services.base import ServiceBase
from balance_tui.services.bundle import Services
from balance_tui.services.clock import DAY_US, HOUR_US, WEEK_US
from balance_tui.services.demo_writer import ChainingWriter, Chunk, WriterProcess, writer_for
from balance_tui.store import audit_records as audit_store
from balance_tui.store import authority as authority_store
from balance_tui.store import bulk
from balance_tui.store import customers as customer_store

TIER_WEIGHTS = {"bronze": 40, "silver": 30, "gold": 17, "platinum": 9, "diamond": 4}
TIER_SCALE = {"bronze": 1.0, "silver": 2.0, "gold": 4.0, "platinum": 8.0, "diamond": 20.0}
FIRST_NAMES = tuple(
    "Ada Alan Amara Ana Ben Carla Chen Dario Elena Emil Farah Felix Grace Hana Ivan Jade "
    "Jonas Kofi Lara Leon Lina Marco Maya Mei Nadia Noah Omar Pia Priya Rafael Rosa Sami Sara "
    "Tariq Theo Uma Vera Wei Yara Zoe".split()
)
LAST_NAMES = tuple(
    "Abbott Alvarez Bauer Becker Costa Dubois Eriksen Fischer Garcia Haddad Ito Jensen Kaur "
    "Kowalski Larsen Moreau Nakamura Novak Okafor Petrov Quinn Rossi Santos Schmidt Silva "
    "Tanaka Usman Varga Weber Yilmaz Zhang".split()
)
AGENT_CITIES = tuple(
    "Lisbon Madrid Lagos Nairobi Manila Lima Quito Sofia Tbilisi Dakar Accra Hanoi Cebu "
    "Recife Porto Malaga Valletta Riga Tallinn Vilnius".split()
)
OPERATORS = ("ana.ops", "ben.ops", "chen.ops", "dario.sup", "system")
REASONS = {
    "deposit": ("Bank transfer", "Card deposit", "Cash at agent", "E-wallet top-up"),
    "withdrawal": ("Cash out at agent", "Bank payout", "E-wallet payout"),
    "wager": (
        "Football 1X2",
        "Tennis match bet",
        "Basketball spread",
        "Live roulette",
        "Slots session",
        "Horse racing win",
    ),
    "settlement": ("Bet won", "Cash-out settled", "Jackpot win", "Void bet refund"),
    "adjustment": ("Goodwill bonus", "Correction of agent entry", "Promo credit", "Fee correction"),
    "reversal": ("Duplicate entry", "Entered on the wrong customer", "Payment bounced"),
}
CHANNELS = ("bank_transfer", "card", "cash", "e_wallet")
CHUNK = 20_000

#: The demo's events carry no idempotency key, hence no request fingerprint: version 2
#: hashes every field they have, and keeps the demo writer's fast encoding.
DEMO_CHAIN_VERSION = 2


@record
class DemoSummary:
    """What ``generate_demo`` wrote."""

    agents: int
    customers: int
    events: int
    alerts: int
    rejections: int
    reversals: int


@dataclass(slots=True)
class _Customer:
    slot: int  # its place in the demo's list of customers
    pk: int
    code: str
    agent: str
    tier: str
    rules: BalanceValidationRules
    scale: float
    balance: int = 0
    sequence: int = 0
    # Usage over the trailing windows, kept up to date by ``_UsageWindows``.
    used_24h: int = 0
    used_7d: int = 0
    changes_1h: int = 0
    open_until: dict[str, int | None] | None = None  # alert type -> ack time

    def open_types(self, now: int) -> set[str]:
        """The alert types open on this customer at ``now`` (forgetting those since closed:
        time only moves on, and most customers have had an alert by the end of a big demo)."""
        if not self.open_until:  # most customers, most of the time
            return set()
        still = {kind: ack for kind, ack in self.open_until.items() if ack is None or ack > now}
        self.open_until = still or None
        return set(still)


#: How many of a customer's latest events a demo reversal may pick from.
RECENT = 5


class _RecentEvents:
    """Each customer's last ``RECENT`` events that are not reversals, which a later event
    may reverse: (event id, amount) in two arrays made at the start, ``RECENT`` places a
    customer (8 MB for 100,000 customers, whatever the events). A reversed event's id is
    kept negated. (A deque per customer took 760 bytes before its first event: 76 MB.)"""

    def __init__(self, customers: int) -> None:
        self.ids = array("q", bytes(8 * RECENT * customers))
        self.amounts = array("q", bytes(8 * RECENT * customers))
        self.counts = bytearray(customers)

    def any(self, slot: int) -> bool:
        return self.counts[slot] > 0

    def reversible(self, slot: int) -> list[tuple[int, int]]:
        """(event id, amount) of each recent event not reversed yet, oldest first."""
        ids, amounts, first = self.ids, self.amounts, slot * RECENT
        return [(ids[i], amounts[i]) for i in range(first, first + self.counts[slot]) if ids[i] > 0]

    def remember(self, slot: int, event_id: int, cents: int) -> None:
        """One more event of the customer's (the oldest of ``RECENT + 1`` is forgotten)."""
        ids, amounts, first = self.ids, self.amounts, slot * RECENT
        count = self.counts[slot]
        if count == RECENT:
            last = first + RECENT - 1
            ids[first:last] = ids[first + 1 : last + 1]
            amounts[first:last] = amounts[first + 1 : last + 1]
            count -= 1
        ids[first + count] = event_id
        amounts[first + count] = cents
        self.counts[slot] = count + 1

    def mark_reversed(self, slot: int, event_id: int) -> None:
        """A reversal of ``event_id``, one of ``reversible(slot)``, was accepted."""
        ids, first = self.ids, slot * RECENT
        for i in range(first, first + self.counts[slot]):
            if ids[i] == event_id:
                ids[i] = -event_id
                return
        raise ValueError(f"event {event_id} is not one of the customer's recent events")


class _UsageWindows:
    """Every customer's usage over the trailing hour, day and week.

    The accepted changes of the last week, in time order, in one place: the day's and the
    hour's are its tail, each window starting at an index. Moving to a later moment walks
    each start past what has left that window, taking it off its customer's counters. What
    is kept grows with the events of a week, never with the book (24 bytes a change: a
    week of a 10^7-event year is 5 MB), and nothing per customer but three counters."""

    def __init__(self) -> None:
        self.moments = array("q")
        self.grosses = array("q")
        self.owners: list[_Customer] = []
        self.week = self.day = self.hour = 0  # where each window starts

    def advance(self, now: int) -> None:
        """Forget usage that has left the windows trailing ``now``."""
        moments, grosses, owners = self.moments, self.grosses, self.owners
        end = len(moments)
        i, edge = self.week, now - WEEK_US
        while i < end and moments[i] <= edge:
            owners[i].used_7d -= grosses[i]
            i += 1
        self.week = i
        i, edge = self.day, now - DAY_US
        while i < end and moments[i] <= edge:
            owners[i].used_24h -= grosses[i]
            i += 1
        self.day = i
        i, edge = self.hour, now - HOUR_US
        while i < end and moments[i] <= edge:
            owners[i].changes_1h -= 1
            i += 1
        self.hour = i
        if self.week > 4_096 and 2 * self.week > end:  # drop what every window has left
            gone = self.week
            del moments[:gone], grosses[:gone], owners[:gone]
            self.week, self.day, self.hour = 0, self.day - gone, self.hour - gone

    def record(self, now: int, person: _Customer, gross: int) -> None:
        """An accepted change at ``now`` (not before the last one) of ``gross`` cents."""
        self.moments.append(now)
        self.grosses.append(gross)
        self.owners.append(person)
        person.used_7d += gross
        person.used_24h += gross
        person.changes_1h += 1


class DemoGenerator(ServiceBase):
    """Fills an empty database with demo data through the bulk path."""

    def _require_owner(self) -> None:
        """PostgreSQL: only the owner of the book's tables (or a superuser) may suspend the
        chain trigger the bulk path needs; anyone else is refused before anything is
        written, not halfway."""
        if not self.postgres:
            # SQLite: a session that only reads (an auditor) writes no demo either.
            AuthorityService(
                self.db, self.clock, settings=self.settings, feed=self.feed
            ).require_writer(self.settings.operator_name())
            return
        with self.read_snapshot():
            refusal = _owner_refusal(*authority_store.book_owner(self.db))
        if refusal is not None:
            raise NotAuthorisedError(refusal)

    def generate(
        self, customers: int = 200, days: int = 90, events: int = 20_000, seed: int = 7
    ) -> DemoSummary:
        if not 1 <= customers <= 1_000_000:
            raise InvalidInputError("--customers must be between 1 and 1,000,000.")
        if not 1 <= days <= 3_650:
            raise InvalidInputError("--days must be between 1 and 3,650.")
        if not 0 <= events <= 20_000_000:
            raise InvalidInputError("--events must be between 0 and 20,000,000.")
        if customer_store.has_customers(self.db):
            raise InvalidInputError(
                "The database already holds customers; demo data only goes into an empty "
                "database (pick another with --db)."
            )
        self._require_owner()
        rng = random.Random(seed)
        now = self.now_us()
        start = now - days * DAY_US
        # Started before the customers are made: a forked writer holds none of them.
        writer = writer_for(self.db, events)
        try:
            with self.write_transaction():
                agents = self._agents(rng, customers, start)
                people = self._customers(rng, customers, agents, start)
        except BaseException:
            writer.abort()
            raise
        return self._events(writer, rng, people, events, start, now, len(agents))

    def _agents(self, rng: random.Random, customers: int, created: int) -> list[str]:
        count = max(3, min(len(AGENT_CITIES) * 5, customers // 400 or 3))
        codes = [f"AGENT_{i + 1:03d}" for i in range(count)]
        bulk.add_agents(
            self.db,
            [
                {
                    "code": code,
                    "name": f"{AGENT_CITIES[i % len(AGENT_CITIES)]} agency",
                    "created_us": created - DAY_US,
                }
                for i, code in enumerate(codes)
            ],
        )
        return codes

    def _customers(
        self, rng: random.Random, count: int, agents: list[str], created: int
    ) -> list[_Customer]:
        agent_pks = bulk.agent_ids(self.db, agents)
        tiers = rng.choices(list(TIER_WEIGHTS), weights=list(TIER_WEIGHTS.values()), k=count)
        width = max(5, len(str(count)))
        codes = [f"CUSTOMER_{i + 1:0{width}d}" for i in range(count)]
        fields = bulk.DEMO_CUSTOMER_FIELDS
        assert fields[:4] == ("code", "name", "agent", "vip_level")
        rows = (  # made as they are inserted: 100,000 at once held 55 MB
            (
                codes[i],
                f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                agent_pks[agents[i % len(agents)]],
                tier,
                "USD",
                "active",
                0,
                0,
                GENESIS_HASH,
                created - DAY_US + i,
            )
            for i, tier in enumerate(tiers)
        )
        pks = bulk.add_customers(self.db, rows)
        if pks:  # vouched for in their own transaction (PostgreSQL commits them only so)
            audit_store.vouch_for_new(self.db, created, {"customer": min(pks.values())})
        return [
            _Customer(
                i,
                pks[code],
                code,
                agents[i % len(agents)],
                tier,
                self.rulebook.rules_for(tier),
                TIER_SCALE[tier],
            )
            for i, (code, tier) in enumerate(zip(codes, tiers, strict=True))
        ]

    def _events(
        self,
        writer: ChainingWriter | WriterProcess,
        rng: random.Random,
        people: list[_Customer],
        count: int,
        start: int,
        now: int,
        agent_count: int,
    ) -> DemoSummary:
        db_user = self.session_user()  # what PostgreSQL records (and so what is hashed)
        totals = {"events": 0, "alerts": 0, "rejections": 0, "reversals": 0}
        with bulk.indexes_built_after(self.db, "balance_event", leading="customer_id"):
            try:
                heads = self._generate(writer, rng, people, count, start, now, db_user, totals)
            except BaseException:
                writer.abort()
                raise
        bulk.BulkWriter(self.db).finish(
            (c.balance, c.sequence, heads[c.pk], c.pk) for c in people if c.sequence
        )
        return DemoSummary(
            agent_count,
            len(people),
            totals["events"],
            totals["alerts"],
            totals["rejections"],
            totals["reversals"],
        )

    def _generate(
        self,
        writer: ChainingWriter | WriterProcess,
        rng: random.Random,
        people: list[_Customer],
        count: int,
        start: int,
        now: int,
        db_user: str | None,
        totals: dict[str, int],
    ) -> dict[int, str]:
        """Generate the events, handing them to ``writer`` chunk by chunk; the heads."""
        next_id, next_alert = bulk.next_ids(self.db)
        chunk = Chunk()
        usage = _UsageWindows()
        recent = _RecentEvents(len(people))
        for moment, person in _schedule(rng, people, count, start, now):
            usage.advance(moment)
            kind, cents, reverses = _pick_change(rng, person, recent)
            check = check_change(
                person.balance,
                cents,
                person.rules,
                change_type=kind,
                usage_24h_cents=person.used_24h,
                usage_7d_cents=person.used_7d,
                tier=person.tier,
            )
            operator = _any(rng, OPERATORS)
            if not check.result.is_valid:
                chunk.rejected.append(
                    (
                        person.code,
                        kind.value,
                        cents,
                        operator,
                        canonical_json(check.result.errors),
                        moment,
                    )
                )
                totals["rejections"] += 1
                if check.breaks_a_limit:
                    draft = alert_rules.rejection_alert(
                        person.code, person.balance, cents, operator, check.result.errors
                    )
                    chunk.alerts.append(
                        _alert_row(
                            next_alert,
                            person,
                            draft,
                            None,
                            moment,
                            _ack_time(rng, moment, now),
                            (cents, operator),
                        )
                    )
                    next_alert += 1
                continue
            new = check.new_balance_cents
            person.sequence += 1
            metadata = _metadata(rng, kind, reverses)
            warnings = canonical_json(check.result.warnings) if check.result.warnings else "[]"
            score = risk_score(kind, cents, new, person.changes_1h, person.rules)
            chunk.codes.append(person.code)
            chunk.events.append(
                (
                    next_id,
                    person.pk,
                    person.sequence,
                    person.agent,
                    "USD",
                    kind.value,
                    cents,
                    person.balance,
                    new,
                    _any(rng, REASONS[kind.value]),
                    operator,
                    person.tier,
                    metadata,
                    score,
                    warnings,
                    reverses,
                    moment,
                    None,  # prev_hash and hash: chained by the writer
                    None,
                    db_user,
                    DEMO_CHAIN_VERSION,
                )
            )
            for draft in alert_rules.alerts_for_change(
                person.code,
                person.balance,
                new,
                person.rules,
                person.open_types(moment),
                self.drop_share,
            ):
                ack = _ack_time(rng, moment, now)
                chunk.alerts.append(_alert_row(next_alert, person, draft, next_id, moment, ack))
                next_alert += 1
                if draft.alert_type in (alert_rules.WARNING, alert_rules.CRITICAL):
                    if person.open_until is None:
                        person.open_until = {}
                    person.open_until[draft.alert_type] = ack
            if reverses is not None:
                recent.mark_reversed(person.slot, reverses)
                totals["reversals"] += 1
            else:
                recent.remember(person.slot, next_id, cents)
            person.balance = new
            usage.record(moment, person, abs(cents))
            next_id += 1
            totals["events"] += 1
            if len(chunk) >= CHUNK:
                totals["alerts"] += len(chunk.alerts)
                writer.write(chunk)
                chunk = Chunk()
        totals["alerts"] += len(chunk.alerts)
        writer.write(chunk)
        return writer.close()


def _schedule(
    rng: random.Random, people: list[_Customer], count: int, start: int, end: int
) -> Iterator[tuple[int, _Customer]]:
    """``count`` (moment, customer) pairs in time order, drawn one day at a time so memory
    does not grow with the number of events.

    Days differ in volume (weekends are busier, and every day varies a little); a few
    customers are far busier than most (Pareto activity), as in real books."""
    weights = [min(rng.paretovariate(1.3), 25.0) for _ in people]
    cumulative = list(itertools.accumulate(weights))
    days = max(1, -(-(end - start) // DAY_US))
    volume = [
        rng.uniform(0.8, 1.2) * (1.2 if (start // DAY_US + day) % 7 in (2, 3) else 1.0)
        for day in range(days)
    ]  # 1970-01-01 was a Thursday: day numbers 2 and 3 (mod 7) are Saturdays and Sundays
    total = sum(volume)
    share = itertools.accumulate(volume)
    drawn = 0
    for day, upto in enumerate(share):
        quota = count if day == days - 1 else round(count * upto / total)
        first = start + day * DAY_US
        last = min(end, first + DAY_US)
        moments = _business_times(rng, first, last, quota - drawn)
        chosen = rng.choices(people, cum_weights=cumulative, k=len(moments))
        yield from zip(moments, chosen, strict=True)
        drawn = quota


def _hour_weight(hour: int) -> float:
    """How busy an hour of the day (UTC) is: afternoons and evenings more than nights."""
    return 0.25 + 0.75 * math.sin(math.pi * max(0, hour - 6) / 18) ** 2


_HOUR_WEIGHTS = tuple(_hour_weight(hour) for hour in range(24))


def _business_times(rng: random.Random, start: int, end: int, count: int) -> list[int]:
    """``count`` sorted moments in [start, end), each hour as busy as ``_hour_weight`` says."""
    hours: list[tuple[int, int]] = []  # (start, width) of each hour, cut to [start, end)
    cumulative: list[float] = []
    total = 0.0
    low = start
    while low < end:
        high = min(end, (low // HOUR_US + 1) * HOUR_US)
        hours.append((low, high - low))
        total += (high - low) * _HOUR_WEIGHTS[(low // HOUR_US) % 24]
        cumulative.append(total)
        low = high
    picked = rng.choices(hours, cum_weights=cumulative, k=count)
    draw = rng.random
    return sorted(low + int(draw() * width) for low, width in picked)


def _any(rng: random.Random, choices: tuple[str, ...]) -> str:
    """One of ``choices`` at random (``rng.choice`` costs several times more, per event)."""
    return choices[int(rng.random() * len(choices))]


def _amount(rng: random.Random, median: float, spread: float, scale: float) -> int:
    """A log-normal amount in cents around ``median`` units, scaled by tier."""
    units = rng.lognormvariate(math.log(median), spread) * scale
    return max(100, int(units * 100))


def _pick_change(
    rng: random.Random, person: _Customer, recent: _RecentEvents
) -> tuple[ChangeType, int, int | None]:
    """The next change a customer makes, given its balance and its recent events (signed
    cents, reversed id)."""
    scale = person.scale
    if person.sequence == 0:
        return ChangeType.DEPOSIT, _amount(rng, 1_500, 0.6, scale), None
    roll = rng.random()
    if roll < 0.003:  # an over-eager withdrawal that the limits refuse
        return ChangeType.WITHDRAWAL, -(person.balance - person.rules.min_cents + 10_000), None
    if roll < 0.01 and recent.any(person.slot):
        candidates = recent.reversible(person.slot)
        if candidates:
            event_id, cents = rng.choice(candidates)
            return ChangeType.REVERSAL, -cents, event_id
    if roll < 0.025:
        sign = 1 if rng.random() < 0.7 else -1
        return ChangeType.ADJUSTMENT, sign * _amount(rng, 25, 0.8, scale), None
    if person.balance < 300_000 * scale or roll < 0.10:
        return ChangeType.DEPOSIT, _amount(rng, 1_000, 0.7, scale), None
    if roll < 0.16:
        share = rng.uniform(0.05, 0.3)
        return ChangeType.WITHDRAWAL, -max(100, int(person.balance * share)), None
    if roll < 0.45:
        return ChangeType.SETTLEMENT, _amount(rng, 60, 1.0, scale), None
    return ChangeType.WAGER, -_amount(rng, 45, 1.0, scale), None


def _metadata(rng: random.Random, kind: ChangeType, reverses: int | None) -> str:
    """The event's metadata as canonical JSON, written out directly (``canonical_json`` of
    the same dictionary gives the same text; a test holds them together)."""
    if reverses is not None:
        return f'{{"reverses_event_id":{reverses}}}'
    if kind in (ChangeType.DEPOSIT, ChangeType.WITHDRAWAL):
        channel = _any(rng, CHANNELS)
        return f'{{"channel":"{channel}","reference":"TX{rng.randrange(10**8):08d}"}}'
    if kind in (ChangeType.WAGER, ChangeType.SETTLEMENT):
        return f'{{"ticket":"T{rng.randrange(10**9):09d}"}}'
    return "{}"


def _ack_time(rng: random.Random, moment: int, now: int) -> int | None:
    """Most alerts are acknowledged within two days; recent ones often still open."""
    ack = moment + rng.randrange(HOUR_US // 6, 2 * DAY_US)
    return ack if ack < now and rng.random() < 0.9 else None


def _alert_row(
    alert_id: int,
    person: _Customer,
    draft: alert_rules.AlertDraft,
    event_id: int | None,
    moment: int,
    ack: int | None,
    attempted: tuple[int, str] | None = None,
) -> tuple[object, ...]:
    cents, who = attempted if attempted else (None, None)
    return (
        alert_id,
        person.pk,
        draft.alert_type,
        draft.message,
        draft.balance_cents,
        draft.threshold_cents,
        event_id,
        cents,
        who,
        moment,
        ack,
        None if ack is None else "dario.sup",
    )


def _owner_refusal(owner: str, login: str, superuser: bool) -> str | None:
    if superuser or owner == login:
        return None
    return (
        f"demo writes through the book owner's bulk path: run it as {owner} (the owner of "
        f"the book's tables), not {login}. Nothing was written."
    )


def generate_demo(
    services: Services, customers: int = 200, days: int = 90, events: int = 20_000, seed: int = 7
) -> DemoSummary:
    """Fill an empty database with demo data (see the module docstring)."""
    generator = DemoGenerator(
        services.db, services.clock, settings=services.settings, feed=services.feed
    )
    return generator.generate(customers, days, events, seed)
