"""PostgreSQL: an audited row cannot be committed without the audit record that vouches for it.

Every write of an audited table (an alert raised or acknowledged, a refusal, an approval request or
decision, an authority or tier rule, a customer's attributes, a customer change) fires a
constraint trigger deferred to commit. It reads the row as it stands then and the latest
audit record of its kind and key, and refuses the commit unless the record's body holds
exactly the row's audited columns. So no write path skips its record: not the app's, not a
login with psql (who may append a record of their own, in the chain, under their own
``session_user``: that is an audited write too). Rows written before the trigger existed
keep the records they have; ``verify`` names any without one.
"""

from __future__ import annotations

from peewee import Database

from balance_tui.store.audit_records import ALERT_COLUMNS, AUDITED
from balance_tui.store.trusted_triggers import book_schema, quoted_identifier

#: kind -> (table, key columns joined into the record's ``ref_id`` with ":", the events
#: that must be vouched for, the trigger's WHEN condition).
WATCHED: dict[str, tuple[str, tuple[str, ...], str, str]] = {
    "alert": (
        "alert",
        ("id",),
        "INSERT OR UPDATE OF " + ", ".join(c for c in ALERT_COLUMNS if c != "id"),
        "",
    ),
    "ack": ("alert", ("id",), "INSERT OR UPDATE", "NEW.acknowledged_us IS NOT NULL"),
    "refusal": ("rejected_attempt", ("id",), "INSERT", ""),
    "request": ("approval_request", ("id",), "INSERT", ""),
    "decision": ("approval_decision", ("request_id",), "INSERT", ""),
    "authority": ("authority", ("kind", "subject"), "INSERT OR UPDATE", ""),
    "rule": ("tier_rule", ("tier",), "INSERT OR UPDATE", ""),
    "customer": (
        "customer",
        ("code",),
        "INSERT OR UPDATE OF code, name, agent_id, vip_level, currency, status, created_us",
        "",
    ),
    "customer_change": ("customer_change", ("id",), "INSERT", ""),
}


def trigger_name(kind: str) -> str:
    """The deferred trigger watching ``kind``: named by its table, but an alert's own
    check (raised) and its acknowledgement's are two triggers on one table."""
    return "alert_raised_audited" if kind == "alert" else f"{WATCHED[kind][0]}_audited"


TRIGGER_NAMES = tuple(trigger_name(kind) for kind in WATCHED)

REFUSAL = (
    "% % was written without the audit record that vouches for it: every write of it "
    "is recorded (write it with balance-tui)"
)


def _function(s: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {s}.audited_write_has_record() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, {s}, pg_temp AS $$
DECLARE
  keys TEXT[] := pg_catalog.string_to_array(TG_ARGV[1], ',');
  columns TEXT[] := pg_catalog.string_to_array(TG_ARGV[2], ',');
  stored JSONB;
  ref TEXT;
  body TEXT;
BEGIN
  -- The row as it stands at commit (it may have been written again since this event).
  EXECUTE pg_catalog.format('SELECT pg_catalog.to_jsonb(t) FROM %I.%I t WHERE %s',
      TG_TABLE_SCHEMA, TG_TABLE_NAME,
      (SELECT pg_catalog.string_agg(pg_catalog.format('t.%I = ($1).%I', k, k), ' AND ')
         FROM pg_catalog.unnest(keys) AS k))
    INTO stored USING NEW;
  IF stored IS NULL THEN RETURN NULL; END IF;
  SELECT pg_catalog.string_agg(stored ->> k, ':' ORDER BY o) INTO ref
    FROM pg_catalog.unnest(keys) WITH ORDINALITY AS u(k, o);
  SELECT r.body INTO body FROM {s}.audit_record r
    WHERE r.kind = TG_ARGV[0] AND r.ref_id = ref ORDER BY r.id DESC LIMIT 1;
  IF body IS NULL OR body::JSONB IS DISTINCT FROM
     (SELECT pg_catalog.jsonb_object_agg(c, stored -> c) FROM pg_catalog.unnest(columns) AS c)
  THEN
    RAISE EXCEPTION '{REFUSAL}', TG_TABLE_NAME, ref;
  END IF;
  RETURN NULL;
END;
$$"""


def install(db: Database) -> None:
    """(Re)define the function and add the deferred trigger to every audited table."""
    s = quoted_identifier(db, book_schema(db))
    cursor = db.cursor()  # no parameters: PL/pgSQL's % stays as written
    cursor.execute(_function(s))
    for kind, (table, keys, events, condition) in WATCHED.items():
        columns = AUDITED[kind][2]
        when = f" WHEN ({condition})" if condition else ""
        arguments = ", ".join(f"'{text}'" for text in (kind, ",".join(keys), ",".join(columns)))
        name = trigger_name(kind)
        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {s}.{table}")
        cursor.execute(
            f"CREATE CONSTRAINT TRIGGER {name} AFTER {events} ON {s}.{table} "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW{when} "
            f"EXECUTE FUNCTION {s}.audited_write_has_record({arguments})"
        )
