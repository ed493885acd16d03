"""The tier rules in force live in the book (``tier_rule``), seeded here with the design
table; a new book then takes its creator's settings (``services.rules``), and only an admin
changes them (each change chained into the audit records). Every terminal checks changes
against these figures, never its own environment's.

A trigger refuses an event that takes its customer outside the tier's [min, max] (moving
further out; a change back towards the range is allowed), whose tier is not its customer's,
or whose new balance is not its previous balance plus its amount. On PostgreSQL that holds
against every login but the owner; on SQLite while the trigger stands.
"""

from balance_tui.store.trusted_triggers import install_tier_bounds

#: The design table when this migration was written: min, max, daily (weekly is 4 x daily;
#: warning 1,000.00 and critical 100.00 for every tier), in currency units.
DESIGN = {
    "bronze": (-10_000, 1_000_000, 50_000),
    "silver": (-10_000, 1_000_000, 100_000),
    "gold": (-15_000, 1_500_000, 150_000),
    "platinum": (-25_000, 2_500_000, 250_000),
    "diamond": (-50_000, 5_000_000, 500_000),
}


def up(migrator, db):
    db.execute_sql(
        """CREATE TABLE tier_rule (
             tier VARCHAR(16) PRIMARY KEY,
             min_cents BIGINT NOT NULL,
             max_cents BIGINT NOT NULL,
             warning_cents BIGINT NOT NULL,
             critical_cents BIGINT NOT NULL,
             daily_cents BIGINT NOT NULL,
             weekly_cents BIGINT NOT NULL,
             set_by VARCHAR(200) NOT NULL,
             set_us BIGINT NOT NULL,
             CHECK (min_cents < max_cents),
             CHECK (critical_cents <= warning_cents),
             CHECK (daily_cents > 0 AND daily_cents <= weekly_cents))"""
    )
    p = db.param
    for tier, (low, high, daily) in DESIGN.items():
        db.execute_sql(
            f"INSERT INTO tier_rule VALUES ({', '.join([p] * 9)})",
            (tier, low * 100, high * 100, 100_000, 10_000, daily * 100, daily * 400,
             "design table", 0),
        )  # fmt: skip
    install_tier_bounds(db)
