"""Changing a customer's attributes: name, agent, tier, status (close, reopen), currency.

Each change is one audited operation: who, why and old -> new go into ``customer_change``,
and the customer's attributes get a new audit record, so ``verify`` names any attribute
edited around the app. Only a supervisor or an admin changes a customer; the currency only
while the customer has no events (there is no conversion); the agent must exist.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cached_property

from balance_tui.domain.errors import (
    InvalidInputError,
    NotAuthorisedError,
    UnknownCustomerError,
)
from balance_tui.domain.hashing import canonical_json
from balance_tui.domain.inputs import MAX_NAME, MAX_REASON, check_code, check_currency, check_text
from balance_tui.domain.record import record
from balance_tui.domain.records import Customer
from balance_tui.domain.tiers import normalise_tier
from balance_tui.services import audit_records
from balance_tui.services.authority import AuthorityService
from balance_tui.services.base import ServiceBase
from balance_tui.services.clock import from_us
from balance_tui.store import customers as store

STATUSES = ("active", "closed")


class CustomerChanges(ServiceBase):
    """Audited changes of customers' attributes."""

    @cached_property
    def authority(self) -> AuthorityService:
        return AuthorityService(self.db, self.clock, settings=self.settings, feed=self.feed)

    def change(
        self, customer_id: str, changed_by: str, reason: str, **wanted: str | None
    ) -> Customer:
        """Change some of ``name``, ``agent``, ``tier``, ``status``, ``currency`` (None:
        unchanged). Returns the customer as it now is; a change to the same values writes
        nothing."""
        label = check_text(changed_by, "Operator", MAX_NAME)
        why = check_text(reason, "Reason", MAX_REASON)
        me = self.authority.identity(label)
        if not (me.may_administer or "supervisor" in me.roles):
            raise NotAuthorisedError(
                f"Only a supervisor or an admin changes a customer; {me.login} is {me.role}."
            )
        asked = _checked({k: v for k, v in wanted.items() if v is not None})
        now_us = self.now_us()

        def write() -> None:
            current = store.attributes(self.db, customer_id)
            if current is None:
                raise UnknownCustomerError(f"No customer {customer_id!r}.")
            changes = {k: v for k, v in asked.items() if current[k] != v}
            if not changes:
                return
            if "currency" in changes and int(current["event_count"]):  # type: ignore[call-overload]
                raise InvalidInputError(
                    f"{customer_id} has events in {current['currency']}: its currency cannot "
                    "change (there is no conversion)."
                )
            if "agent" in changes and not store.agent_exists(self.db, str(changes["agent"])):
                raise InvalidInputError(f"No agent {changes['agent']}; create it first.")
            store.set_attributes(self.db, int(current["id"]), changes)  # type: ignore[call-overload]
            old_new = {k: [current[k], v] for k, v in changes.items()}
            change_id = store.record_change(
                self.db,
                (current["id"], canonical_json(old_new), why, me.login, now_us),
            )
            audit_records.record(self.db, "customer_change", [change_id], now_us)
            audit_records.record(self.db, "customer", [customer_id], now_us)

        self.transact(write)
        customer = store.get_customer(self.db, customer_id)
        assert customer is not None
        return customer

    def history(self, customer_id: str) -> list[CustomerChange]:
        """Every audited change of the customer's attributes, oldest first."""
        with self.read_snapshot():
            rows = store.changes_of(self.db, customer_id)
        return [
            CustomerChange(
                {k: (old, new) for k, (old, new) in json.loads(changes).items()},
                reason,
                by,
                from_us(at),
            )
            for changes, reason, by, at in rows
        ]


@record
class CustomerChange:
    """One audited change: field -> (old, new), why, who, when."""

    changes: dict[str, tuple[object, object]]
    reason: str
    changed_by: str
    changed_at: datetime


def _checked(asked: dict[str, str]) -> dict[str, str]:
    checked = dict(asked)
    if "name" in checked:
        checked["name"] = check_text(checked["name"], "Name", MAX_NAME, required=False)
    if "agent" in checked:
        checked["agent"] = check_code(checked["agent"], "Agent id")
    if "tier" in checked:
        checked["tier"] = normalise_tier(checked["tier"])
    if "currency" in checked:
        checked["currency"] = check_currency(checked["currency"])
    if "status" in checked and checked["status"] not in STATUSES:
        raise InvalidInputError("A customer's status is 'active' or 'closed'.")
    return checked
