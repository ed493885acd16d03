"""Authority, four-eyes approval and the audit chain of everything that is not an event.

- ``authority``: the largest single change a role (or one login) may post; NULL is
  unlimited. Seeded with the defaults; only admins change it.
- ``approval_request``: a change above its maker's authority, waiting for a checker.
  ``approval_decision``: at most one per request (its primary key is the request), so of two
  checkers deciding at once exactly one wins. Both are append-only: a request's status is
  derived (decided, expired or pending), never updated.
- ``balance_event.approval_id``: the request an event applies. ``chain_version`` 2 hashes
  every stored field of an event (currency, database user and approval link as well).
- ``alert.acknowledged_db_user``: the login that acknowledged, beside the label.
- ``audit_record``: one hash chain over acknowledgements, approval requests and decisions,
  refused attempts and authority changes (``prev_hash`` unique: the chain cannot fork).

On PostgreSQL triggers record the session's login as maker, checker, acknowledger and
writer of audit records; refuse a checker who made the request or lacks the authority;
and refuse an event above its poster's authority unless it applies a request another login
approved. Roles and grants are not made here but by ``store.roles`` after every migration
(creating roles needs CREATEROLE, which a schema owner may lack).
"""

from peewee import PostgresqlDatabase

DEFAULT_AUTHORITY_CENTS = {
    "operator": 1_000_000,
    "supervisor": 10_000_000,
    "admin": None,
    "auditor": 0,
}
APPEND_ONLY = ("approval_request", "approval_decision", "audit_record")


def up(migrator, db):
    pg = isinstance(db, PostgresqlDatabase)
    serial = "BIGSERIAL PRIMARY KEY" if pg else "INTEGER PRIMARY KEY AUTOINCREMENT"
    for statement in (
        """CREATE TABLE authority (
             kind VARCHAR(8) NOT NULL CHECK (kind IN ('role', 'login')),
             subject VARCHAR(200) NOT NULL,
             limit_cents BIGINT CHECK (limit_cents >= 0),
             set_by VARCHAR(200) NOT NULL,
             set_us BIGINT NOT NULL,
             PRIMARY KEY (kind, subject))""",
        f"""CREATE TABLE approval_request (
             id {serial},
             customer_id BIGINT NOT NULL REFERENCES customer (id) ON DELETE RESTRICT,
             change_type VARCHAR(16) NOT NULL,
             amount_cents BIGINT NOT NULL,
             reason TEXT NOT NULL,
             metadata_json TEXT NOT NULL,
             reverses_event_id BIGINT REFERENCES balance_event (id) ON DELETE RESTRICT,
             maker VARCHAR(200) NOT NULL,
             maker_label VARCHAR(200) NOT NULL,
             maker_authority_cents BIGINT,
             created_us BIGINT NOT NULL,
             expires_us BIGINT NOT NULL)""",
        """CREATE INDEX approval_request_duplicate
             ON approval_request (customer_id, maker, change_type, amount_cents)""",
        "CREATE INDEX approval_request_created ON approval_request (created_us)",
        """CREATE TABLE approval_decision (
             request_id BIGINT PRIMARY KEY REFERENCES approval_request (id) ON DELETE RESTRICT,
             verdict VARCHAR(8) NOT NULL CHECK (verdict IN ('approved', 'rejected')),
             checker VARCHAR(200) NOT NULL,
             checker_label VARCHAR(200) NOT NULL,
             note TEXT NOT NULL,
             decided_us BIGINT NOT NULL)""",
        f"""CREATE TABLE audit_record (
             id {serial},
             kind VARCHAR(16) NOT NULL,
             ref_id VARCHAR(200) NOT NULL,
             body TEXT NOT NULL,
             db_user VARCHAR(200),
             created_us BIGINT NOT NULL,
             prev_hash VARCHAR(64) NOT NULL UNIQUE,
             hash VARCHAR(64) NOT NULL)""",
        "CREATE INDEX audit_record_ref ON audit_record (kind, ref_id)",
        "ALTER TABLE balance_event ADD COLUMN approval_id BIGINT "
        "REFERENCES approval_request (id) ON DELETE RESTRICT",
        "CREATE UNIQUE INDEX balance_event_approval ON balance_event (approval_id)",
        "ALTER TABLE balance_event ADD COLUMN chain_version INTEGER NOT NULL DEFAULT 1",
        "ALTER TABLE alert ADD COLUMN acknowledged_db_user VARCHAR(200)",
    ):
        db.execute_sql(statement)
    p = db.param
    for role, cents in DEFAULT_AUTHORITY_CENTS.items():
        db.execute_sql(
            "INSERT INTO authority (kind, subject, limit_cents, set_by, set_us) "
            f"VALUES ('role', {p}, {p}, 'migration 0006', 0)",
            (role, cents),
        )
    if pg:
        _postgres(db)
    else:
        _sqlite(db)


def _sqlite(db):
    for table in APPEND_ONLY:
        db.execute_sql(
            f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"""
        )
        db.execute_sql(
            f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"""
        )


AUTHORITY_FUNCTION = """
CREATE OR REPLACE FUNCTION balance_authority(who TEXT) RETURNS BIGINT AS $$
DECLARE
  r RECORD;
  best BIGINT := 0;
BEGIN
  -- NULL is unlimited. A login's own row wins over its roles; superusers and the owner of
  -- the book's tables can do anything anyway, so they are unlimited.
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = who AND rolsuper) THEN RETURN NULL; END IF;
  IF EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = 'balance_event'::regclass
             AND pg_get_userbyid(c.relowner) = who) THEN RETURN NULL; END IF;
  SELECT * INTO r FROM authority WHERE kind = 'login' AND subject = who;
  IF FOUND THEN RETURN r.limit_cents; END IF;
  FOR r IN SELECT subject, limit_cents FROM authority WHERE kind = 'role' LOOP
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'balance_' || r.subject)
       AND pg_has_role(who, 'balance_' || r.subject, 'MEMBER') THEN
      IF r.limit_cents IS NULL THEN RETURN NULL; END IF;
      best := GREATEST(best, r.limit_cents);
    END IF;
  END LOOP;
  RETURN best;
END;
$$ LANGUAGE plpgsql STABLE"""


def _postgres(db):
    def run(sql):
        # The driver formats parameters even when there are none: PL/pgSQL's % doubled.
        db.execute_sql(sql.replace("%", "%%"))

    run(AUTHORITY_FUNCTION)
    run(
        """CREATE OR REPLACE FUNCTION balance_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END;
           $$ LANGUAGE plpgsql"""
    )
    for table in APPEND_ONLY:
        run(
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION balance_append_only()"""
        )
    run(
        """CREATE OR REPLACE FUNCTION approval_request_maker() RETURNS trigger AS $$
           BEGIN NEW.maker := session_user; RETURN NEW; END;
           $$ LANGUAGE plpgsql"""
    )
    run(
        """CREATE TRIGGER approval_request_maker BEFORE INSERT ON approval_request
           FOR EACH ROW EXECUTE FUNCTION approval_request_maker()"""
    )
    run(
        """CREATE OR REPLACE FUNCTION approval_decision_checker() RETURNS trigger AS $$
           DECLARE req RECORD; lim BIGINT;
           BEGIN
             NEW.checker := session_user;
             SELECT maker, amount_cents INTO req FROM approval_request WHERE id = NEW.request_id;
             IF req.maker = NEW.checker THEN
               RAISE EXCEPTION 'the maker of approval request #% cannot decide it', NEW.request_id;
             END IF;
             lim := balance_authority(session_user);
             IF NEW.verdict = 'approved' AND lim IS NOT NULL AND ABS(req.amount_cents) > lim THEN
               RAISE EXCEPTION 'approval request #% is above the authority of %',
                 NEW.request_id, session_user;
             END IF;
             RETURN NEW;
           END;
           $$ LANGUAGE plpgsql"""
    )
    run(
        """CREATE TRIGGER approval_decision_checker BEFORE INSERT ON approval_decision
           FOR EACH ROW EXECUTE FUNCTION approval_decision_checker()"""
    )
    run(
        """CREATE OR REPLACE FUNCTION balance_event_authority() RETURNS trigger AS $$
           DECLARE lim BIGINT; req RECORD;
           BEGIN
             lim := balance_authority(session_user);
             IF lim IS NULL OR ABS(NEW.amount_cents) <= lim THEN RETURN NEW; END IF;
             IF NEW.approval_id IS NOT NULL THEN
               SELECT r.maker, r.customer_id, r.amount_cents, d.verdict, d.checker INTO req
                 FROM approval_request r JOIN approval_decision d ON d.request_id = r.id
                 WHERE r.id = NEW.approval_id;
               IF FOUND AND req.verdict = 'approved' AND req.checker <> req.maker
                  AND req.customer_id = NEW.customer_id AND req.amount_cents = NEW.amount_cents
               THEN RETURN NEW; END IF;
             END IF;
             RAISE EXCEPTION 'a change of % cents is above the authority of % and no other '
               'login approved it', ABS(NEW.amount_cents), session_user;
           END;
           $$ LANGUAGE plpgsql"""
    )
    run(
        """CREATE TRIGGER balance_event_authority BEFORE INSERT ON balance_event
           FOR EACH ROW EXECUTE FUNCTION balance_event_authority()"""
    )
    run(
        """CREATE OR REPLACE FUNCTION audit_record_db_user() RETURNS trigger AS $$
           BEGIN NEW.db_user := session_user; RETURN NEW; END;
           $$ LANGUAGE plpgsql"""
    )
    run(
        """CREATE TRIGGER audit_record_db_user BEFORE INSERT ON audit_record
           FOR EACH ROW EXECUTE FUNCTION audit_record_db_user()"""
    )
    run(
        """CREATE OR REPLACE FUNCTION alert_acknowledged_db_user() RETURNS trigger AS $$
           BEGIN
             IF NEW.acknowledged_us IS NOT NULL AND OLD.acknowledged_us IS NULL THEN
               NEW.acknowledged_db_user := session_user;
             END IF;
             RETURN NEW;
           END;
           $$ LANGUAGE plpgsql"""
    )
    run(
        """CREATE TRIGGER alert_acknowledged_db_user BEFORE UPDATE ON alert
           FOR EACH ROW EXECUTE FUNCTION alert_acknowledged_db_user()"""
    )
