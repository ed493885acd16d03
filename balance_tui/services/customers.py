"""Customers: creating, closing and listing them, with their limit usage and open alerts."""

from __future__ import annotations

from collections.abc import Iterable

from balance_tui.domain.errors import (
    DuplicateCustomerError,
    UnknownCustomerError,
)
from balance_tui.domain.hashing import GENESIS_HASH
from balance_tui.domain.inputs import (
    MAX_NAME,
    check_code,
    check_currency,
    check_search,
    check_text,
    following_code,
)
from balance_tui.domain.money import cents_to_decimal
from balance_tui.domain.record import record
from balance_tui.domain.records import Customer, CustomerSummary
from balance_tui.domain.tiers import VIP_TIERS, normalise_tier
from balance_tui.services import audit_records
from balance_tui.services.authority import AuthorityService
from balance_tui.services.base import ServiceBase
from balance_tui.services.clock import DAY_US, WEEK_US, from_us
from balance_tui.store import customer_ids
from balance_tui.store import customers as customer_store
from balance_tui.store.customers import CUSTOMER_ORDERS, CustomerOrder, PageMark

#: Orders whose natural direction puts the largest first (what an operator looks for).
#: The id proposed for a book's first customer.
FIRST_ID = "CUSTOMER_00001"
LARGEST_FIRST = frozenset({"balance", "usage", "alerts"})

#: Up to this many customers, usage is asked for by code; beyond, for everyone at once.
FEW_CUSTOMERS = 5_000


@record
class CustomerPage:
    """One page of the customers list, read in one snapshot."""

    summaries: list[CustomerSummary]
    #: Where the next page starts (pass it back as ``after``); None when this one is empty.
    next_after: PageMark | None
    #: Whether rows may follow (the page came back full).
    more: bool
    #: Customers the filter matches in all, when asked for (``count=True``).
    total: int | None = None


class CustomerDirectory(ServiceBase):
    """Creates customers (and their agents) and lists them with what an operator checks."""

    def create_customer(
        self,
        customer_id: str,
        agent_id: str,
        name: str = "",
        vip_level: str = "bronze",
        currency: str = "USD",
    ) -> Customer:
        """Create a customer (and its agent when new) with a zero balance. A session that
        only reads (an auditor) is refused (PostgreSQL's grants refuse it too)."""
        AuthorityService(
            self.db, self.clock, settings=self.settings, feed=self.feed
        ).require_writer(self.settings.operator_name())
        code = check_code(customer_id, "Customer id")
        agent_code = check_code(agent_id, "Agent id")
        name = check_text(name, "Name", MAX_NAME, required=False)
        tier = normalise_tier(vip_level)
        currency = check_currency(currency)
        now_us = self.now_us()

        def add() -> None:
            twin = customer_ids.same_code_any_case(self.db, code)
            if twin is not None and twin != code:
                raise DuplicateCustomerError(
                    f"Customer {twin} exists: ids are told apart regardless of case, so "
                    f"{code} would be the same customer to a search. Pick another id."
                )
            if not customer_store.add_customer(
                self.db, code, agent_code, name, tier, currency, GENESIS_HASH, now_us
            ):  # raised inside: the new agent, if any, is rolled back with it
                raise DuplicateCustomerError(f"Customer {code} already exists.")
            audit_records.record(self.db, "customer", [code], now_us)

        self.transact(add)
        return Customer(
            code, name, agent_code, tier, currency, "active", cents_to_decimal(0), from_us(now_us)
        )

    def new_customer_warnings(self, agent_id: str, currency: str) -> list[str]:
        """What an operator should know before creating a customer with this agent and
        currency (nothing here stops the creation): a new agent, a currency no one uses."""
        warnings = []
        with self.read_snapshot():
            agent = agent_id.strip()
            if agent and not customer_store.agent_exists(self.db, agent):
                warnings.append(f"Agent {agent} does not exist yet; it will be created.")
            code = currency.strip().upper()
            if code and not customer_store.currency_in_use(self.db, code):
                warnings.append(f"No customer uses {code} yet; check the currency code.")
        return warnings

    def set_customer_status(
        self, customer_id: str, status: str, changed_by: str | None = None, reason: str = ""
    ) -> Customer:
        """Close (``closed``) or reopen (``active``) a customer; closed ones take no changes.
        An audited change of the customer (see ``services.customer_changes``)."""
        from balance_tui.services.customer_changes import CustomerChanges

        changes = CustomerChanges(self.db, self.clock, settings=self.settings, feed=self.feed)
        who = changed_by or self.settings.operator_name()
        return changes.change(customer_id, who, reason or f"status set to {status}", status=status)

    def get_customer(self, customer_id: str) -> Customer:
        customer = customer_store.get_customer(self.db, customer_id)
        if customer is None:
            raise UnknownCustomerError(f"No customer {customer_id!r}.")
        return customer

    def count_customers(self) -> int:
        return customer_store.count_customers(self.db)

    def next_free_id(self) -> str:
        """An id to propose for a new customer: the one after the newest customer's, in
        its numbering, that no customer has yet."""
        with self.read_snapshot():
            code = customer_ids.newest_code(self.db)
            if code is None:
                return FIRST_ID
            for _ in range(1_000):
                code = following_code(code)
                if not customer_ids.code_taken(self.db, code):
                    return code
        return ""  # a numbering this crowded: the operator names the customer

    def list_customers(
        self,
        search: str | None = None,
        *,
        agent_id: str | None = None,
        limit: int | None = None,
        offset: int = 0,
        order_by: str = "id",
        descending: bool = False,
    ) -> list[CustomerSummary]:
        """Customers ordered by ``order_by`` (one of ``CUSTOMER_ORDERS``: ties go by id in the
        same direction), filtered by a substring of id, name or agent."""
        search = check_search(search)
        with self.read_snapshot():
            found = customer_store.list_customers(
                self.db, search, agent_id, limit, offset, self.customer_order(order_by, descending)
            )
            return self.summarise([customer for customer, _ in found])

    def customer_page(
        self,
        search: str | None = None,
        *,
        agent_id: str | None = None,
        order_by: str = "id",
        descending: bool = False,
        after: PageMark | None = None,
        limit: int = 200,
        count: bool = False,
    ) -> CustomerPage:
        """The ``limit`` customers after ``after`` (from the top without), in the order of
        ``list_customers``; with ``count``, how many the filter matches in all. The database
        orders and filters: a screen holds only the pages it has shown."""
        order = self.customer_order(order_by, descending)
        search = check_search(search)
        with self.read_snapshot():
            found = customer_store.list_customers(self.db, search, agent_id, limit, 0, order, after)
            total = None
            if count and after is None and len(found) < limit:
                total = len(found)  # the whole list is this page: nothing more to count
            elif count:
                total = customer_store.count_matching(self.db, search, agent_id)
            summaries = self.summarise([customer for customer, _ in found])
        return CustomerPage(
            summaries=summaries,
            next_after=found[-1][1] if found else after,
            more=len(found) == limit,
            total=total,
        )

    def customer_order(self, order_by: str, descending: bool) -> CustomerOrder:
        if order_by not in CUSTOMER_ORDERS:
            raise ValueError(f"customers are listed by one of {CUSTOMER_ORDERS}, not {order_by!r}")
        rules = self.rulebook
        return CustomerOrder(
            column=order_by,
            descending=descending,
            tier_ranks={tier: rank for rank, tier in enumerate(VIP_TIERS)},
            tier_limits={
                tier: (rules.rules_for(tier).daily_cents, rules.rules_for(tier).weekly_cents)
                for tier in VIP_TIERS
            },
            now_us=self.now_us(),
            day_us=DAY_US,
            week_us=WEEK_US,
        )

    def customers_by_ids(self, codes: Iterable[str]) -> list[CustomerSummary]:
        """Fresh summaries of some customers (for refreshing visible rows)."""
        wanted = list(dict.fromkeys(codes))
        if not wanted:
            return []
        with self.read_snapshot():
            return self.summarise(customer_store.customers_by_codes(self.db, wanted))

    def summarise(self, customers: list[Customer]) -> list[CustomerSummary]:
        """Attach 24 h / 7 d usage and active alert counts to customers (two grouped queries)."""
        if not customers:
            return []
        codes = [c.id for c in customers] if len(customers) <= FEW_CUSTOMERS else None
        usage, open_alerts = customer_store.usage_and_alerts(
            self.db, codes, self.now_us(), DAY_US, WEEK_US
        )
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
