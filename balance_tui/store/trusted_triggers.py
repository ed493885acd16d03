"""The book's triggers, written so that what a login creates cannot change what they read.

PostgreSQL looks for an unqualified relation in the session's temporary schema before any
other, so a trigger that reads ``authority`` reads whatever ``CREATE TEMP TABLE authority``
made. Every function here therefore names its relations with their schema, pins
``search_path`` to ``pg_catalog, <book schema>, pg_temp`` (temporary objects last) and runs
as ``SECURITY DEFINER``, as the PostgreSQL manual's "Writing SECURITY DEFINER Functions
Safely" prescribes; ``migrate`` then gives the functions to the book's ``<prefix>_definer``
role, which cannot log in and may only read the book (``store.roles``). Identifiers are
quoted by the driver.

``install_postgres`` (re)defines every function and adds the triggers that earlier
migrations did not have; existing triggers keep pointing at the replaced functions.
"""

from __future__ import annotations

from peewee import Database, PostgresqlDatabase

GENESIS = "0" * 64
#: How far ahead of the server's clock a written time may be before it is refused (µs).
FUTURE_TOLERANCE_US = 60_000_000
#: The longest an approval request may wait for its checker (the config allows 744 hours).
MAX_APPROVAL_US = 744 * 3_600_000_000

SERVER_NOW_US = "(EXTRACT(EPOCH FROM pg_catalog.clock_timestamp()) * 1000000)::BIGINT"


def quoted_identifier(db: Database, name: str) -> str:
    """``name`` as a PostgreSQL identifier, quoted by the driver (never pasted)."""
    from psycopg2 import sql

    return str(sql.Identifier(name).as_string(db.connection()))


def book_schema(db: Database) -> str:
    return str(db.execute_sql("SELECT current_schema()").fetchone()[0])


def _functions(s: str) -> dict[str, str]:
    """Trigger function bodies by name; ``s`` is the quoted schema."""
    return {
        "balance_event_append_only": """
BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END;""",
        "balance_append_only": """
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END;""",
        "alert_acknowledge_only": """
BEGIN
  IF TG_OP = 'DELETE' THEN RAISE EXCEPTION 'alerts are never deleted'; END IF;
  IF OLD.acknowledged_us IS NOT NULL
     OR (NEW.id, NEW.customer_id, NEW.alert_type, NEW.message, NEW.balance_cents,
         NEW.threshold_cents, NEW.event_id, NEW.attempted_cents, NEW.attempted_by,
         NEW.created_us)
        IS DISTINCT FROM
        (OLD.id, OLD.customer_id, OLD.alert_type, OLD.message, OLD.balance_cents,
         OLD.threshold_cents, OLD.event_id, OLD.attempted_cents, OLD.attempted_by,
         OLD.created_us)
  THEN RAISE EXCEPTION 'alerts are only acknowledged, never edited'; END IF;
  RETURN NEW;
END;""",
        "customer_balance_follows_events": f"""
DECLARE cents BIGINT; seq BIGINT; head TEXT;
BEGIN
  SELECT e.new_cents, e.sequence, e.hash INTO cents, seq, head FROM {s}.balance_event e
    WHERE e.customer_id = NEW.id ORDER BY e.sequence DESC LIMIT 1;
  IF NOT FOUND THEN cents := 0; seq := 0; head := '{GENESIS}'; END IF;
  IF NEW.balance_cents IS DISTINCT FROM cents OR NEW.event_count IS DISTINCT FROM seq
     OR NEW.head_hash IS DISTINCT FROM head
  THEN RAISE EXCEPTION 'a balance only changes with its event: it must equal the '
    'customer''s latest event'; END IF;
  RETURN NEW;
END;""",
        "balance_event_follows_chain": f"""
DECLARE seq BIGINT; head TEXT; at BIGINT; cents BIGINT;
BEGIN
  SELECT e.sequence, e.hash, e.created_us, e.new_cents INTO seq, head, at, cents
    FROM {s}.balance_event e
    WHERE e.customer_id = NEW.customer_id ORDER BY e.sequence DESC LIMIT 1;
  IF NOT FOUND THEN seq := 0; head := '{GENESIS}'; at := NEW.created_us; cents := 0; END IF;
  IF NEW.sequence IS DISTINCT FROM seq + 1 OR NEW.prev_hash IS DISTINCT FROM head
     OR NEW.previous_cents IS DISTINCT FROM cents THEN
    RAISE EXCEPTION 'event % of customer #% is out of its chain: the next is % after %',
      NEW.sequence, NEW.customer_id, seq + 1, pg_catalog.left(head, 12);
  END IF;
  IF NEW.created_us < at THEN
    RAISE EXCEPTION 'an event of customer #% is dated before its previous event', NEW.customer_id;
  END IF;
  IF NEW.created_us > {SERVER_NOW_US} + {FUTURE_TOLERANCE_US} THEN
    RAISE EXCEPTION 'an event dated ahead of the database server''s clock is refused: '
      'check the writer''s clock';
  END IF;
  RETURN NEW;
END;""",
        "balance_event_db_user": """
BEGIN NEW.db_user := session_user; RETURN NEW; END;""",
        "audit_record_db_user": """
BEGIN NEW.db_user := session_user; RETURN NEW; END;""",
        "alert_acknowledged_db_user": """
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NEW.acknowledged_us IS NOT NULL THEN NEW.acknowledged_db_user := session_user; END IF;
  ELSIF NEW.acknowledged_us IS NOT NULL AND OLD.acknowledged_us IS NULL THEN
    NEW.acknowledged_db_user := session_user;
  END IF;
  RETURN NEW;
END;""",
        "approval_request_maker": f"""
BEGIN
  NEW.maker := session_user;
  IF NEW.expires_us <= NEW.created_us OR NEW.expires_us - NEW.created_us > {MAX_APPROVAL_US}
  THEN RAISE EXCEPTION 'an approval request waits between 1 and 744 hours'; END IF;
  IF NEW.created_us > {SERVER_NOW_US} + {FUTURE_TOLERANCE_US} THEN
    RAISE EXCEPTION 'a request dated ahead of the database server''s clock is refused';
  END IF;
  RETURN NEW;
END;""",
        "approval_decision_checker": f"""
DECLARE req RECORD; lim BIGINT;
BEGIN
  NEW.checker := session_user;
  SELECT r.maker, r.amount_cents, r.created_us, r.expires_us INTO req
    FROM {s}.approval_request r WHERE r.id = NEW.request_id;
  IF req.maker = NEW.checker THEN
    RAISE EXCEPTION 'the maker of approval request #% cannot decide it', NEW.request_id;
  END IF;
  IF NEW.decided_us < req.created_us OR NEW.decided_us >= req.expires_us
     OR NEW.decided_us > {SERVER_NOW_US} + {FUTURE_TOLERANCE_US} THEN
    RAISE EXCEPTION 'approval request #% is expired or the decision is misdated',
      NEW.request_id;
  END IF;
  lim := {s}.balance_authority(session_user);
  IF NEW.verdict = 'approved' AND lim IS NOT NULL AND ABS(req.amount_cents) > lim THEN
    RAISE EXCEPTION 'approval request #% is above the authority of %',
      NEW.request_id, session_user;
  END IF;
  RETURN NEW;
END;""",
        "balance_event_authority": f"""
DECLARE lim BIGINT; req RECORD;
BEGIN
  IF NEW.approval_id IS NOT NULL THEN
    SELECT r.maker, r.customer_id, r.change_type, r.amount_cents, r.reason, r.metadata_json,
           r.reverses_event_id, r.expires_us, d.verdict, d.checker, d.decided_us INTO req
      FROM {s}.approval_request r JOIN {s}.approval_decision d ON d.request_id = r.id
      WHERE r.id = NEW.approval_id;
    IF FOUND AND req.verdict = 'approved' AND req.checker <> req.maker
       AND req.decided_us < req.expires_us
       AND req.customer_id = NEW.customer_id AND req.amount_cents = NEW.amount_cents
       AND req.change_type = NEW.change_type AND req.reason = NEW.reason
       AND req.metadata_json = NEW.metadata_json
       AND req.reverses_event_id IS NOT DISTINCT FROM NEW.reverses_event_id
    THEN RETURN NEW; END IF;
    RAISE EXCEPTION 'event does not apply approval request #% as approved', NEW.approval_id;
  END IF;
  lim := {s}.balance_authority(session_user);
  IF lim IS NULL OR ABS(NEW.amount_cents) <= lim THEN RETURN NEW; END IF;
  RAISE EXCEPTION 'a change of % cents is above the authority of % and no other '
    'login approved it', ABS(NEW.amount_cents), session_user;
END;""",
    }


def _authority_function(s: str, schema_literal: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {s}.balance_authority(who TEXT) RETURNS BIGINT
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, {s}, pg_temp AS $$
DECLARE
  r RECORD;
  best BIGINT := 0;
  prefix TEXT;
BEGIN
  -- NULL is unlimited. A login's own row wins over its roles; superusers and the owner of
  -- the book's tables can do anything anyway, so they are unlimited.
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = who AND rolsuper) THEN
    RETURN NULL;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_class c
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = {schema_literal} AND c.relname = 'balance_event'
               AND pg_catalog.pg_get_userbyid(c.relowner) = who) THEN RETURN NULL; END IF;
  SELECT * INTO r FROM {s}.authority WHERE kind = 'login' AND subject = who;
  IF FOUND THEN RETURN r.limit_cents; END IF;
  SELECT COALESCE((SELECT b.value FROM {s}.book_info b WHERE b.key = 'roles_prefix'),
                  'balance') INTO prefix;
  FOR r IN SELECT a.subject, a.limit_cents FROM {s}.authority a WHERE a.kind = 'role' LOOP
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = prefix || '_' || r.subject)
       AND pg_catalog.pg_has_role(who, prefix || '_' || r.subject, 'MEMBER') THEN
      IF r.limit_cents IS NULL THEN RETURN NULL; END IF;
      best := GREATEST(best, r.limit_cents);
    END IF;
  END LOOP;
  RETURN best;
END;
$$"""


#: Triggers that earlier migrations did not make: (name, timing, table, function).
NEW_TRIGGERS = (
    (
        "balance_event_follows_chain",
        "BEFORE INSERT",
        "balance_event",
        "balance_event_follows_chain",
    ),
    ("alert_acknowledged_db_user_insert", "BEFORE INSERT", "alert", "alert_acknowledged_db_user"),
)


#: Every trigger a migrated book has, by backend; ``verify`` names any that is missing.
POSTGRES_TRIGGERS = (
    "balance_event_append_only",
    "alert_acknowledge_only",
    "customer_balance_follows_events",
    "balance_event_db_user",
    "approval_request_append_only",
    "approval_decision_append_only",
    "audit_record_append_only",
    "approval_request_maker",
    "approval_decision_checker",
    "balance_event_authority",
    "audit_record_db_user",
    "alert_acknowledged_db_user",
    *(name for name, *_ in NEW_TRIGGERS),
    "balance_event_within_tier",
    "checkpoint_log_append_only",
    "customer_change_append_only",
    # the deferred checks of ``store.audited_writes`` (named here: that module imports this)
    "alert_audited",
    "alert_raised_audited",
    "rejected_attempt_audited",
    "approval_request_audited",
    "approval_decision_audited",
    "authority_audited",
    "tier_rule_audited",
    "customer_audited",
    "customer_change_audited",
)
SQLITE_TRIGGERS_NAMED = (
    "balance_event_no_update",
    "balance_event_no_delete",
    "alert_acknowledge_only",
    "alert_no_delete",
    "customer_balance_follows_events",
    "approval_request_no_update",
    "approval_request_no_delete",
    "approval_decision_no_update",
    "approval_decision_no_delete",
    "audit_record_no_update",
    "audit_record_no_delete",
    "balance_event_follows_chain",
    "customer_head_follows_events",
    "balance_event_within_tier",
    "checkpoint_log_no_update",
    "checkpoint_log_no_delete",
    "customer_change_no_update",
    "customer_change_no_delete",
)


def missing_triggers(db: Database) -> list[str]:
    """The book's triggers that are gone (dropped) or, on PostgreSQL, disabled."""
    if isinstance(db, PostgresqlDatabase):
        present = {
            row[0]
            for row in db.execute_sql(
                "SELECT t.tgname FROM pg_catalog.pg_trigger t "
                "JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid "
                "WHERE c.relnamespace = (SELECT oid FROM pg_catalog.pg_namespace "
                "WHERE nspname = current_schema()) AND NOT t.tgisinternal "
                "AND t.tgenabled <> 'D'"
            )
        }
        return [name for name in POSTGRES_TRIGGERS if name not in present]
    present = {
        row[0] for row in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    return [name for name in SQLITE_TRIGGERS_NAMED if name not in present]


def install_postgres(db: Database) -> None:
    from psycopg2 import sql

    schema = book_schema(db)
    s = quoted_identifier(db, schema)
    literal = str(sql.Literal(schema).as_string(db.connection()))
    cursor = db.cursor()  # no parameters: PL/pgSQL's % stays as written
    cursor.execute(_authority_function(s, literal))
    for name, body in _functions(s).items():
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {s}.{name}() RETURNS trigger LANGUAGE plpgsql "
            f"SECURITY DEFINER SET search_path = pg_catalog, {s}, pg_temp AS $${body}$$"
        )
    for trigger, timing, table, function in NEW_TRIGGERS:
        cursor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {s}.{table}")
        cursor.execute(
            f"CREATE TRIGGER {trigger} {timing} ON {s}.{table} "
            f"FOR EACH ROW EXECUTE FUNCTION {s}.{function}()"
        )


CHAIN_MESSAGE = (
    "an event is out of its customer's chain: it must have the next sequence and the "
    "head's hash and balance, and not be dated before its previous event"
).replace("'", "''")
HEAD_MESSAGE = "a balance only changes with its event: it must equal the customer''s latest event"
_LATEST = "FROM balance_event e WHERE e.customer_id = NEW.{key} ORDER BY e.sequence DESC LIMIT 1"
_LATEST_OF_EVENT = _LATEST.format(key="customer_id")

SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER IF NOT EXISTS balance_event_follows_chain
       BEFORE INSERT ON balance_event
       WHEN NEW.sequence IS NOT COALESCE((SELECT e.sequence {_LATEST_OF_EVENT}), 0) + 1
         OR NEW.prev_hash IS NOT COALESCE((SELECT e.hash {_LATEST_OF_EVENT}),
                                          '{GENESIS}')
         OR NEW.previous_cents IS NOT COALESCE((SELECT e.new_cents {_LATEST_OF_EVENT}), 0)
         OR NEW.created_us < COALESCE((SELECT e.created_us {_LATEST_OF_EVENT}),
                                      NEW.created_us)
       BEGIN SELECT RAISE(ABORT, '{CHAIN_MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS customer_head_follows_events
       BEFORE UPDATE OF balance_cents, event_count, head_hash ON customer
       WHEN NEW.head_hash IS NOT COALESCE((SELECT e.hash {_LATEST.format(key="id")}), '{GENESIS}')
       BEGIN SELECT RAISE(ABORT, '{HEAD_MESSAGE}'); END""",
)


def install_sqlite(db: Database) -> None:
    for statement in SQLITE_TRIGGERS:
        db.execute_sql(statement)


def suspend_chain_trigger(db: Database) -> None:
    """For a bulk load by the tables' owner: the chain trigger off until restored."""
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("ALTER TABLE balance_event DISABLE TRIGGER balance_event_follows_chain")
    else:
        db.execute_sql("DROP TRIGGER IF EXISTS balance_event_follows_chain")


def restore_chain_trigger(db: Database) -> None:
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("ALTER TABLE balance_event ENABLE TRIGGER balance_event_follows_chain")
    else:
        db.execute_sql(SQLITE_TRIGGERS[0])


def _tier_bounds_function(s: str) -> str:
    return f"""
DECLARE cust_tier TEXT; lo BIGINT; hi BIGINT;
BEGIN
  SELECT c.vip_level INTO cust_tier FROM {s}.customer c WHERE c.id = NEW.customer_id;
  SELECT t.min_cents, t.max_cents INTO lo, hi FROM {s}.tier_rule t WHERE t.tier = cust_tier;
  IF NEW.vip_level IS DISTINCT FROM cust_tier OR NOT FOUND
     OR NEW.new_cents IS DISTINCT FROM NEW.previous_cents + NEW.amount_cents THEN
    RAISE EXCEPTION 'an event must carry its customer''s tier and a new balance of its '
      'previous balance plus its amount';
  END IF;
  IF (NEW.amount_cents < 0 AND NEW.new_cents < lo) OR (NEW.amount_cents > 0 AND NEW.new_cents > hi)
  THEN
    RAISE EXCEPTION 'a balance of % cents is outside the % tier''s bounds (% to % cents)',
      NEW.new_cents, cust_tier, lo, hi;
  END IF;
  RETURN NEW;
END;"""


TIER_MESSAGE = (
    "an event must carry its customer's tier, a new balance of its previous balance plus its "
    "amount, and keep the balance within the tier's bounds"
).replace("'", "''")
SQLITE_TIER_TRIGGER = f"""CREATE TRIGGER IF NOT EXISTS balance_event_within_tier
   BEFORE INSERT ON balance_event
   WHEN NEW.vip_level IS NOT (SELECT c.vip_level FROM customer c WHERE c.id = NEW.customer_id)
     OR NEW.new_cents IS NOT NEW.previous_cents + NEW.amount_cents
     OR (NEW.amount_cents < 0 AND NEW.new_cents <
         (SELECT t.min_cents FROM tier_rule t WHERE t.tier = NEW.vip_level))
     OR (NEW.amount_cents > 0 AND NEW.new_cents >
         (SELECT t.max_cents FROM tier_rule t WHERE t.tier = NEW.vip_level))
   BEGIN SELECT RAISE(ABORT, '{TIER_MESSAGE}'); END"""


def install_tier_bounds(db: Database) -> None:
    """The trigger that holds every event to its customer's tier bounds (after ``tier_rule``
    exists)."""
    if not isinstance(db, PostgresqlDatabase):
        db.execute_sql(SQLITE_TIER_TRIGGER)
        return
    s = quoted_identifier(db, book_schema(db))
    cursor = db.cursor()
    cursor.execute(
        f"CREATE OR REPLACE FUNCTION {s}.balance_event_within_tier() RETURNS trigger "
        f"LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, {s}, pg_temp "
        f"AS $${_tier_bounds_function(s)}$$"
    )
    cursor.execute(f"DROP TRIGGER IF EXISTS balance_event_within_tier ON {s}.balance_event")
    cursor.execute(
        f"CREATE TRIGGER balance_event_within_tier BEFORE INSERT ON {s}.balance_event "
        f"FOR EACH ROW EXECUTE FUNCTION {s}.balance_event_within_tier()"
    )
