"""Settings: environment variables, then an optional TOML file, then built-in defaults.

Environment (the seed's and ours):

* ``BALANCE_MIN_DEFAULT`` / ``BALANCE_MAX_DEFAULT``: the min/max balance of the tiers that use
  the seed's default figures (bronze and silver); higher tiers keep their own.
* ``BALANCE_WARNING_THRESHOLD`` / ``BALANCE_CRITICAL_THRESHOLD``: thresholds of every tier.
* ``BALANCE_TUI_DB`` (or the seed's ``DB_PATH``): the database; ``BALANCE_TUI_OPERATOR``: who
  is working; ``BALANCE_TUI_CONFIG``: another config file.

The config file (``config.toml`` under the user config dir) may hold::

    operator = "ada"
    significant_drop_percent = 25
    [tiers.gold]
    daily_change_limit = 200000
    [keys]
    "customers.adjust" = "a,ctrl+a"

Precedence: CLI flags, then environment, then the file, then the design table.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import field, fields
from decimal import Decimal
from pathlib import Path
from typing import Any

import platformdirs

from balance_tui.domain.authority import ROLES
from balance_tui.domain.errors import BalanceError, InvalidAmountError
from balance_tui.domain.money import cents_to_decimal, parse_amount, to_cents, typed_currency
from balance_tui.domain.record import record
from balance_tui.domain.tiers import (
    DEFAULT_LIMIT_TIERS,
    DEFAULT_RULEBOOK,
    VIP_TIERS,
    BalanceValidationRules,
    RuleBook,
)

APP_NAME = "balance-tui"
RULE_KEYS = tuple(f.name for f in fields(BalanceValidationRules))
ENV_FOR_ALL_TIERS = {
    "BALANCE_WARNING_THRESHOLD": "warning_threshold",
    "BALANCE_CRITICAL_THRESHOLD": "critical_threshold",
}
ENV_FOR_DEFAULT_TIERS = {
    "BALANCE_MIN_DEFAULT": "min_balance",
    "BALANCE_MAX_DEFAULT": "max_balance",
}


class ConfigError(BalanceError):
    """A setting that cannot be used; the message names the key and the source."""


@record
class Settings:
    """Everything configurable, resolved."""

    rulebook: RuleBook = DEFAULT_RULEBOOK
    significant_drop_share: Decimal = Decimal("0.25")
    operator: str = ""
    database_url: str | None = None
    keymap: Mapping[str, str] = field(default_factory=dict)
    config_path: Path | None = None
    #: The TUI's colour theme (chosen in the palette, kept here).
    theme: str | None = None
    #: Where the TUI keeps what the operator chooses (the theme); None: keep nothing.
    writable_config: Path | None = None
    #: The most this terminal acts as: it may lower the role the book (SQLite) or the server
    #: (PostgreSQL) gives, never raise it. The default, admin, lowers nothing.
    role: str = "admin"
    #: Hours an approval request waits for a checker before it expires.
    approval_hours: int = 24

    def operator_name(self) -> str:
        return self.operator or _login_name()


def default_config_path() -> Path:
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / "config.toml"


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "operator"


def _money(value: Any, key: str, source: str) -> Decimal:
    """An amount from the file or the environment, read as strictly as a typed one."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ConfigError(f"{source}: {key} must be an amount, got {value!r}.")
    if isinstance(value, str) and typed_currency(value):
        raise ConfigError(
            f"{source}: {key} = {value!r}: give the amount without a currency sign (a tier's "
            "figures hold in each customer's own currency)."
        )
    try:
        cents = parse_amount(value) if isinstance(value, str) else to_cents(value)
    except InvalidAmountError as exc:
        raise ConfigError(f"{source}: {key} = {value!r}: {exc}") from None
    return cents_to_decimal(cents)


def _read_file(path: Path) -> dict[str, Any]:
    import tomllib  # only when there is a file to read (most starts have none)

    try:
        text = path.read_bytes().decode("utf-8")
        return tomllib.loads(text.removeprefix("\ufeff"))  # a BOM, as some editors save
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}).") from None
    except RecursionError:
        raise ConfigError(f"{path}: nests too deeply to be a config file.") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x}); save it as UTF-8."
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}).") from None


def _apply_tier_overrides(book: RuleBook, tiers: Any, source: str) -> RuleBook:
    if not isinstance(tiers, dict):
        raise ConfigError(f"{source}: [tiers] must be a table of tiers.")
    for tier, overrides in tiers.items():
        if tier.lower() not in VIP_TIERS:
            raise ConfigError(f"{source}: tiers.{tier} is not a tier ({', '.join(VIP_TIERS)}).")
        if not isinstance(overrides, dict):
            raise ConfigError(f"{source}: tiers.{tier} must be a table.")
        changes = {}
        for key, value in overrides.items():
            if key not in RULE_KEYS:
                raise ConfigError(
                    f"{source}: tiers.{tier}.{key} is not a rule ({', '.join(RULE_KEYS)})."
                )
            changes[key] = _money(value, f"tiers.{tier}.{key}", source)
        if "daily_change_limit" in changes and "weekly_change_limit" not in changes:
            # weekly = 4 x daily, as the design table has it, unless given too
            changes["weekly_change_limit"] = changes["daily_change_limit"] * 4
        try:
            book = book.with_tier(tier, book.rules_for(tier).with_overrides(**changes))
        except ValueError as exc:
            raise ConfigError(f"{source}: tiers.{tier}: {exc}") from None
    return book


def _apply_env(book: RuleBook, env: Mapping[str, str]) -> RuleBook:
    """Every variable at once, per tier: BALANCE_MIN_DEFAULT and BALANCE_MAX_DEFAULT may
    move the range past each other's old value."""
    per_tier: dict[str, dict[str, Decimal]] = {tier: {} for tier in VIP_TIERS}
    given: list[str] = []
    for variable, rule in (*ENV_FOR_ALL_TIERS.items(), *ENV_FOR_DEFAULT_TIERS.items()):
        if variable not in env or not env[variable].strip():
            continue
        given.append(f"{variable}={env[variable]}")
        amount = _money(env[variable], variable, "environment")
        targets = VIP_TIERS if variable in ENV_FOR_ALL_TIERS else DEFAULT_LIMIT_TIERS
        for tier in targets:
            per_tier[tier][rule] = amount
    for tier, changes in per_tier.items():
        if not changes:
            continue
        try:
            book = book.with_tier(tier, book.rules_for(tier).with_overrides(**changes))
        except ValueError as exc:
            raise ConfigError(f"environment ({', '.join(given)}): {tier}: {exc}") from None
    return book


def load_settings(env: Mapping[str, str] | None = None, path: Path | None = None) -> Settings:
    """Resolve settings from the environment and the config file (which may be absent)."""
    env = os.environ if env is None else env
    explicit = path or (Path(env["BALANCE_TUI_CONFIG"]) if env.get("BALANCE_TUI_CONFIG") else None)
    config_path = explicit or default_config_path()
    data: dict[str, Any] = {}
    if explicit is not None and not explicit.exists():
        raise ConfigError(f"Config file {explicit} does not exist.")
    if config_path.exists():
        data = _read_file(config_path)
    source = str(config_path)
    known = {
        "operator",
        "significant_drop_percent",
        "tiers",
        "keys",
        "database",
        "theme",
        "role",
        "approval_hours",
    }
    for key in data:
        if key not in known:
            raise ConfigError(f"{source}: unknown setting {key!r} ({', '.join(sorted(known))}).")

    book = DEFAULT_RULEBOOK
    book = _apply_tier_overrides(book, data.get("tiers", {}), source)
    book = _apply_env(book, env)

    drop = Decimal("0.25")
    if "significant_drop_percent" in data:
        percent = _money(data["significant_drop_percent"], "significant_drop_percent", source)
        if not 0 < percent <= 100:
            raise ConfigError(f"{source}: significant_drop_percent must be between 0 and 100.")
        drop = percent / 100

    operator = data.get("operator", "")
    if not isinstance(operator, str):
        raise ConfigError(f"{source}: operator must be text.")
    given = env.get("BALANCE_TUI_OPERATOR", "")
    if given and not given.strip():
        raise ConfigError("BALANCE_TUI_OPERATOR is blank: give a name, or unset it.")
    operator = given.strip() or operator

    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise ConfigError(f"{source}: [keys] maps binding ids to key names, as text.")
    database = data.get("database")
    if database is not None and not isinstance(database, str):
        raise ConfigError(f"{source}: database must be a path or URL.")
    theme = data.get("theme")
    if theme is not None and not isinstance(theme, str):
        raise ConfigError(f"{source}: theme must be a theme name, as text.")

    role = env.get("BALANCE_TUI_ROLE") or data.get("role", "admin")
    if role not in ROLES:
        named = "BALANCE_TUI_ROLE" if env.get("BALANCE_TUI_ROLE") else f"{source}: role"
        raise ConfigError(f"{named} must be one of {', '.join(ROLES)}, got {role!r}.")
    hours = data.get("approval_hours", 24)
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= 24 * 31:
        raise ConfigError(f"{source}: approval_hours must be a whole number of hours (1-744).")

    return Settings(
        role=role,
        approval_hours=hours,
        rulebook=book,
        significant_drop_share=drop,
        operator=operator,
        database_url=database,
        keymap=dict(keys),
        config_path=config_path if config_path.exists() else None,
        theme=theme,
        writable_config=config_path,
    )


def save_theme(path: Path, theme: str) -> None:
    """Keep ``theme = "…"`` in the config file as its own top-level setting (tomlkit puts a
    new one above the first table, and leaves a ``theme`` key inside a table alone); the
    rest of the file, comments included, stays as it was. Written to a temporary file,
    then renamed."""
    import tomlkit  # only when the theme changes

    document = tomlkit.parse(path.read_text(encoding="utf-8") if path.exists() else "")
    document["theme"] = theme
    text = tomlkit.dumps(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)
