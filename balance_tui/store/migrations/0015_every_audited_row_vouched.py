"""Every row that must have an audit record gets one: the default authority seeded by
migration 0006 and the demo's bulk-loaded acknowledgements and refusals had none. From
this migration on, ``verify`` reports any such row without a record; the rows found here
are vouched for as they stand at the upgrade, by the login that ran it."""

import time

from balance_tui.store.audit_records import vouch_for_unvouched

#: The kinds of audited rows at this step (later migrations add more, and vouch for them).
KINDS = ("ack", "refusal", "request", "decision", "authority", "rule")


def up(migrator, db):
    vouch_for_unvouched(db, time.time_ns() // 1_000, KINDS)
