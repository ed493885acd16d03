"""Command palette: a customer (card, adjust, history, analytics), screens, export, verify."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from balance_tui.services.bundle import thread_session
from balance_tui.tui.safe_text import literal, visible

if TYPE_CHECKING:
    from balance_tui.tui.app import BalanceApp

SCREENS = (
    ("customers", "Customers"),
    ("history", "History"),
    ("alerts", "Alerts"),
    ("analytics", "Analytics"),
    ("approvals", "Approvals"),
)


#: Words of the customer commands ("adjust maya" searches customers for "maya").
VERBS = frozenset({"customer", "adjust", "history", "analytics"})


class BalanceCommands(Provider):
    """Customers by id or name, the four screens, export and verify."""

    @property
    def balance_app(self) -> BalanceApp:
        return self.app  # type: ignore[return-value]

    def _actions(self) -> list[tuple[str, str, object]]:
        app = self.balance_app
        actions: list[tuple[str, str, object]] = [
            (
                f"Go to {title}",
                f"Switch to the {title.lower()} screen",
                partial(app.action_switch_mode, mode),
            )
            for mode, title in SCREENS
        ]
        actions += [
            (
                "Export history to CSV",
                "Write the whole history to a CSV file",
                app.action_export_history,
            ),
            ("Verify audit chains", "Recompute every hash chain and balance", app.action_verify),
        ]
        return actions

    async def discover(self) -> Hits:
        for name, help_text, command in self._actions():
            yield DiscoveryHit(name, command, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, command in self._actions():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), command, help=help_text)  # type: ignore[arg-type]
        # "history maya": the verb picks the command, the rest finds the customer.
        who = " ".join(w for w in query.split() if w.lower().rstrip("…") not in VERBS)
        if len(who) < 2:
            return
        app = self.balance_app

        def find() -> list[tuple[str, str]]:
            with thread_session(app.services.db):
                found = app.services.manager.list_customers(who, limit=20)
            return [(s.customer.id, s.customer.name) for s in found]

        for customer_id, name in await asyncio.to_thread(find):
            who = f"{visible(customer_id)}  {visible(name)}"
            for verb, command, help_text in (
                ("Customer", partial(app.open_card, customer_id), "Open this customer's card"),
                ("Adjust…", partial(app.adjust_customer, customer_id), "Adjust this balance"),
                ("History", partial(app.open_customer_history, customer_id), "Every change"),
                ("Analytics…", partial(app.open_analytics, customer_id), "Trends and risk"),
            ):
                label = f"{verb} {who}"
                yield Hit(
                    max(matcher.match(label), 0.5),
                    literal(label),
                    command,
                    text=label,
                    help=help_text,
                )
