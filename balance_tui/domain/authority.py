"""Who may do what: roles, authority (the largest single change one may post) and the
approval requests a change above it becomes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from balance_tui.domain.money import format_money
from balance_tui.domain.record import record

#: The roles, least to most powerful for writing (auditors only read).
ROLES = ("auditor", "operator", "supervisor", "admin")


@record
class Identity:
    """The acting identity: on PostgreSQL the session's login and the roles the server gives
    it; on SQLite the configured operator name and role. ``label`` is the display name
    (``--operator``) stored beside the login, never trusted for authority."""

    login: str
    label: str
    roles: frozenset[str]
    #: The largest single change this identity may post; None is unlimited.
    authority: Decimal | None

    @property
    def may_write(self) -> bool:
        return bool(self.roles & {"operator", "supervisor", "admin"})

    @property
    def may_decide(self) -> bool:
        """May approve or reject requests (within its authority)."""
        return bool(self.roles & {"supervisor", "admin"})

    @property
    def may_administer(self) -> bool:
        return "admin" in self.roles

    def within(self, amount: Decimal) -> bool:
        return self.authority is None or abs(amount) <= self.authority

    @property
    def role(self) -> str:
        """The strongest role held (for display)."""
        held = [r for r in ROLES if r in self.roles]
        return held[-1] if held else "none"


@record
class AuthorityEntry:
    """One row of the authority table: a role's or one login's limit."""

    kind: str  # "role" or "login"
    subject: str
    limit: Decimal | None  # None: unlimited
    set_by: str
    set_at: datetime


@record
class ApprovalRequest:
    """A change above its maker's authority, waiting for (or decided by) a checker."""

    id: int
    customer_id: str
    currency: str
    change_type: str
    amount: Decimal
    reason: str
    metadata: dict[str, object]
    reverses_event_id: int | None
    maker: str
    maker_label: str
    maker_authority: Decimal | None
    created_at: datetime
    expires_at: datetime
    #: pending, approved, rejected or expired
    status: str
    checker: str | None = None
    checker_label: str | None = None
    note: str | None = None
    decided_at: datetime | None = None
    #: The event that applied it (approved requests).
    event_id: int | None = None


def parse_limit(text: str) -> str:
    """``unlimited`` (any case) or an amount as typed; returns the normalised text."""
    return "unlimited" if text.strip().lower() in {"unlimited", "none", "no limit"} else text


def why_not_decide(me: Identity, request: ApprovalRequest) -> str | None:
    """Why ``me`` may not approve or reject ``request`` (and who may), or None."""
    if me.login == request.maker:
        return (
            f"{me.login} made approval request #{request.id}; another login must decide it "
            "(a supervisor or an admin)."
        )
    if not me.may_decide:
        return f"{me.login} is {me.role}; approving needs a supervisor or an admin."
    if not me.within(request.amount):
        assert me.authority is not None
        size = format_money(abs(request.amount))
        return (
            f"Approval request #{request.id} for {size} is above the authority of "
            f"{me.login} ({format_money(me.authority)}); a supervisor or an admin whose "
            f"authority covers {size} decides it."
        )
    return None


def likely_duplicates(
    request: ApprovalRequest, others: list[ApprovalRequest]
) -> list[ApprovalRequest]:
    """Other pending requests that look like the same correction: the same customer and
    signed amount (a reversal and an adjustment of one mistake), or the same event reversed."""
    return [
        o
        for o in others
        if o.id != request.id
        and o.status == "pending"
        and o.customer_id == request.customer_id
        and (o.amount == request.amount or _same_reversal(o, request))
    ]


def _same_reversal(one: ApprovalRequest, other: ApprovalRequest) -> bool:
    return one.reverses_event_id is not None and one.reverses_event_id == other.reverses_event_id
