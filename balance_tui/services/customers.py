"""Customers: creating, closing and listing them, with their limit usage and open alerts."""

from __future__ import annotations

from collections.abc import Iterable

from balance_tui.domain.errors import (
    DuplicateCustomerError,
    InvalidInputError,
    UnknownCustomerError,
)
from balance_tui.domain.hashing import GENESIS_HASH
from balance_tui.domain.inputs import MAX_NAME, check_code, check_currency, check_text
from balance_tui.domain.money import cents_to_decimal
from balance_tui.domain.records import Customer, CustomerSummary
from balance_tui.domain.tiers import normalise_tier
from balance_tui.services.base import ServiceBase
from balance_tui.services.clock import DAY_US, WEEK_US, from_us
from balance_tui.store import customers as customer_store

#: Up to this many customers, usage is asked for by code; beyond, for everyone at once.
FEW_CUSTOMERS = 5_000


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
        """Create a customer (and its agent when new) with a zero balance."""
        code = check_code(customer_id, "Customer id")
        agent_code = check_code(agent_id, "Agent id")
        name = check_text(name, "Name", MAX_NAME, required=False)
        tier = normalise_tier(vip_level)
        currency = check_currency(currency)
        now_us = self.now_us()

        def add() -> None:
            if not customer_store.add_customer(
                self.db, code, agent_code, name, tier, currency, GENESIS_HASH, now_us
            ):  # raised inside: the new agent, if any, is rolled back with it
                raise DuplicateCustomerError(f"Customer {code} already exists.")

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

    def set_customer_status(self, customer_id: str, status: str) -> Customer:
        """Close (``closed``) or reopen (``active``) a customer; closed ones take no changes."""
        if status not in ("active", "closed"):
            raise InvalidInputError("A customer's status is 'active' or 'closed'.")
        if not self.transact(lambda: customer_store.set_status(self.db, customer_id, status)):
            raise UnknownCustomerError(f"No customer {customer_id!r}.")
        return self.get_customer(customer_id)

    def get_customer(self, customer_id: str) -> Customer:
        customer = customer_store.get_customer(self.db, customer_id)
        if customer is None:
            raise UnknownCustomerError(f"No customer {customer_id!r}.")
        return customer

    def count_customers(self) -> int:
        return customer_store.count_customers(self.db)

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
        """Customers ordered by id (or ``order_by="balance"``), filtered by a substring of
        id, name or agent; ties of a balance order go by id in the same direction."""
        if order_by not in ("id", "balance"):
            raise ValueError(f"customers are listed by id or balance, not {order_by!r}")
        with self.read_snapshot():
            customers = customer_store.list_customers(
                self.db, search, agent_id, limit, offset, order_by == "balance", descending
            )
            return self.summarise(customers)

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
