"""The tier rules in force, kept in the book: every terminal checks changes against the
same figures, whatever its own environment or config file says. Amounts in cents."""

from __future__ import annotations

from peewee import Database

#: The stored figures of a tier, in the order of ``BalanceValidationRules``' fields.
FIGURES = (
    "min_cents",
    "max_cents",
    "warning_cents",
    "critical_cents",
    "daily_cents",
    "weekly_cents",
)
COLUMNS = ("tier", *FIGURES, "set_by", "set_us")


def rows(db: Database) -> list[tuple[str, tuple[int, ...], str, int]]:
    """(tier, figures, set by, set at) of every tier."""
    cursor = db.execute_sql(f"SELECT {', '.join(COLUMNS)} FROM tier_rule ORDER BY tier")
    return [(str(r[0]), tuple(int(c) for c in r[1:7]), str(r[7]), int(r[8])) for r in cursor]


def figures_of(db: Database, tier: str) -> tuple[int, ...] | None:
    """One tier's figures (the write path reads only its customer's tier)."""
    row = db.execute_sql(
        f"SELECT {', '.join(FIGURES)} FROM tier_rule WHERE tier = {db.param}", (tier,)
    ).fetchone()
    return None if row is None else tuple(int(c) for c in row)


def set_rule(db: Database, tier: str, figures: tuple[int, ...], set_by: str, set_us: int) -> None:
    p = db.param
    db.execute_sql(
        f"INSERT INTO tier_rule ({', '.join(COLUMNS)}) VALUES ({', '.join([p] * len(COLUMNS))}) "
        "ON CONFLICT (tier) DO UPDATE SET "
        + ", ".join(f"{c} = excluded.{c}" for c in (*FIGURES, "set_by", "set_us")),
        (tier, *figures, set_by, set_us),
    )
