"""Typed errors of the balance domain.

Every message is a sentence an operator can act on; the CLI prints it as one line and the
TUI shows it inline.
"""

from __future__ import annotations


class BalanceError(Exception):
    """Base of every error the balance engine raises on purpose."""


class InvalidAmountError(BalanceError, ValueError):
    """An amount that is not an exact money value we accept."""


class UnknownTierError(BalanceError, ValueError):
    """A VIP tier name that is not one of the configured tiers."""


class InvalidChangeTypeError(BalanceError, ValueError):
    """A change type that does not exist or cannot be requested directly."""


class UnknownCustomerError(BalanceError, LookupError):
    """No customer with that id."""


class DuplicateCustomerError(BalanceError):
    """A customer with that id already exists."""


class UnknownEventError(BalanceError, LookupError):
    """No balance change event with that id."""


class UnknownAlertError(BalanceError, LookupError):
    """No alert with that id."""


class AlreadyReversedError(BalanceError):
    """The event was reversed before; an event is reversed at most once."""


class IdempotencyConflictError(BalanceError):
    """An idempotency key was reused with different parameters."""


class InvalidInputError(BalanceError, ValueError):
    """Any other bad input (empty reason, bad metadata, bad period...)."""


class StorageError(BalanceError):
    """The database cannot be opened or used (missing directory, not a database...)."""


class RefusedByDatabaseError(BalanceError):
    """One of the book's triggers refused the write (the message is the trigger's)."""


class AuditChainBusyError(StorageError):
    """Another transaction held the audit chain's lock past the wait bound (it is named)."""


class MigrationPendingError(StorageError):
    """The book's schema is older than this program's: ``balance-tui migrate`` (run by the
    schema owner) must bring it up to date first."""


class NotAuthorisedError(BalanceError, PermissionError):
    """The acting identity's role or authority does not allow this."""


class UnknownApprovalError(BalanceError, LookupError):
    """No approval request with that id."""


class ApprovalStateError(BalanceError):
    """The request was already decided, or expired."""
