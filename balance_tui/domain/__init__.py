"""Pure balance rules: money, tiers, validation, alerts, risk, hashing, analytics maths.

Nothing here does I/O or imports storage or UI code.
"""

from balance_tui.domain.changes import CHANGE_TYPES, REQUESTABLE_TYPES, ChangeType
from balance_tui.domain.errors import (
    AlreadyReversedError,
    BalanceError,
    DuplicateCustomerError,
    IdempotencyConflictError,
    InvalidAmountError,
    InvalidChangeTypeError,
    InvalidInputError,
    StorageError,
    UnknownAlertError,
    UnknownCustomerError,
    UnknownEventError,
    UnknownTierError,
)
from balance_tui.domain.records import (
    BalanceAnalytics,
    BalanceChangeEvent,
    BalanceReport,
    BalanceThresholdAlert,
    BalanceUpdateResult,
    BreakdownEntry,
    Customer,
    CustomerSummary,
    OperationsFigures,
    ValidationResult,
    VerificationProblem,
    VerificationReport,
)
from balance_tui.domain.tiers import VIP_TIERS, BalanceValidationRules, RuleBook
from balance_tui.domain.validation import BalanceValidator

__all__ = [
    "CHANGE_TYPES",
    "REQUESTABLE_TYPES",
    "VIP_TIERS",
    "AlreadyReversedError",
    "BalanceAnalytics",
    "BalanceChangeEvent",
    "BalanceError",
    "BalanceReport",
    "BalanceThresholdAlert",
    "BalanceUpdateResult",
    "BalanceValidationRules",
    "BalanceValidator",
    "BreakdownEntry",
    "ChangeType",
    "Customer",
    "CustomerSummary",
    "DuplicateCustomerError",
    "IdempotencyConflictError",
    "InvalidAmountError",
    "InvalidChangeTypeError",
    "InvalidInputError",
    "OperationsFigures",
    "RuleBook",
    "StorageError",
    "UnknownAlertError",
    "UnknownCustomerError",
    "UnknownEventError",
    "UnknownTierError",
    "ValidationResult",
    "VerificationProblem",
    "VerificationReport",
]
