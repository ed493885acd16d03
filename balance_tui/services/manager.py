"""BalanceManager: the seed's single entry point, composed of small services.

- ``services.customers.CustomerDirectory``: create, close, list and summarise customers;
- ``services.ledger.Ledger``: the write path (one locked transaction per change, batches,
  reversals, idempotency);
- ``services.previews.CustomerViews``: the form's preview and the balance report.

It adds no behaviour of its own; the public API is DESIGN §4's.
"""

from __future__ import annotations

from balance_tui.services.customers import CustomerDirectory
from balance_tui.services.previews import CustomerViews


class BalanceManager(CustomerViews, CustomerDirectory):
    """Creates customers and applies balance changes: validated, audited, alerted, atomic.

    ``update_balance`` returns a rejected result (``success`` False, the reasons in
    ``validation.errors``) for bad input, and nothing is written to the balance; a rejection
    for a limit or a min/max breach raises a ``limit_exceeded`` alert; reusing an
    idempotency key with other parameters raises :class:`IdempotencyConflictError`.
    """
