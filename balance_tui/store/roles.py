"""PostgreSQL group roles and their grants (run by ``balance-tui migrate``).

``balance_operator`` reads everything and appends changes, alerts, acknowledgements,
refusals, requests and audit records; ``balance_supervisor`` is an operator who also
decides approval requests; ``balance_admin`` a supervisor who also sets authority;
``balance_auditor`` only reads. Nobody is granted UPDATE or DELETE on the trail (events,
requests, decisions, audit records): the only updates granted are a customer's balance,
event count and head (held to its latest event by a trigger) and an alert's
acknowledgement columns. Every identifier is quoted by the driver, never pasted.

Roles are cluster-wide and creating them needs CREATEROLE, which a schema owner may lack:
then ``migrate`` prints this SQL for a DBA instead. Grants are per schema and idempotent.
"""

from __future__ import annotations

from peewee import Database

from balance_tui.store.trusted_triggers import quoted_identifier

GROUP_ROLES = ("balance_operator", "balance_supervisor", "balance_auditor", "balance_admin")
OPERATOR_INSERTS = (
    "agent",
    "customer",
    "balance_event",
    "alert",
    "rejected_attempt",
    "approval_request",
    "audit_record",
)
CUSTOMER_EVENT_COLUMNS = ("balance_cents", "event_count", "head_hash")
CUSTOMER_ATTRIBUTE_COLUMNS = ("name", "agent_id", "vip_level", "status", "currency")
ACK_COLUMNS = ("acknowledged_us", "acknowledged_by", "acknowledgement_note", "acknowledged_db_user")


def create_roles_sql() -> list[str]:
    return [
        f"DO $$ BEGIN CREATE ROLE {role} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        for role in GROUP_ROLES
    ] + [
        "GRANT balance_operator TO balance_supervisor",
        "GRANT balance_supervisor TO balance_admin",
    ]


def grants_sql(schema: str) -> list[str]:
    """The grants on the book's schema; ``schema`` is already a quoted identifier.

    Operators may update only the columns of a customer that move with its events (a
    trigger holds those to the latest event); tier, agent, name, status and currency are
    the owner's."""
    everyone = ", ".join(GROUP_ROLES)
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {everyone}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {everyone}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO balance_operator",
        f"GRANT INSERT ON {', '.join(f'{schema}.{t}' for t in OPERATOR_INSERTS)} "
        "TO balance_operator",
        f"REVOKE UPDATE ON {schema}.customer FROM balance_operator",
        f"GRANT UPDATE ({', '.join(CUSTOMER_EVENT_COLUMNS)}) ON {schema}.customer "
        "TO balance_operator",
        f"GRANT UPDATE ({', '.join(ACK_COLUMNS)}) ON {schema}.alert TO balance_operator",
        f"GRANT INSERT, UPDATE ON {schema}.rollup TO balance_operator",
        # To lock the audit chain (SELECT ... FOR UPDATE); a trigger refuses real updates.
        f"GRANT UPDATE (id) ON {schema}.audit_chain_lock TO balance_operator",
        f"GRANT INSERT ON {schema}.approval_decision TO balance_supervisor",
        # A customer's attributes change through the app, by a supervisor, audited.
        f"GRANT UPDATE ({', '.join(CUSTOMER_ATTRIBUTE_COLUMNS)}) ON {schema}.customer "
        "TO balance_supervisor",
        f"GRANT INSERT ON {schema}.customer_change TO balance_supervisor",
        f"GRANT INSERT, UPDATE ON {schema}.authority TO balance_admin",
        f"GRANT INSERT, UPDATE ON {schema}.tier_rule TO balance_admin",
        # Whoever verifies makes checkpoints: auditors too append to the book's log.
        f"GRANT INSERT ON {schema}.checkpoint_log TO balance_operator, balance_auditor",
    ]


def temporary_sql(database: str) -> list[str]:
    """No login creates temporary objects in the book's database (``database`` quoted):
    the triggers do not read them anyway; this takes away the tool."""
    return [f"REVOKE TEMPORARY ON DATABASE {database} FROM PUBLIC"]


def current_schema(db: Database) -> str:
    return str(db.execute_sql("SELECT current_schema()").fetchone()[0])


def owns_database(db: Database) -> bool:
    row = db.execute_sql(
        "SELECT pg_catalog.pg_get_userbyid(datdba) = current_user OR "
        "(SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) "
        "FROM pg_catalog.pg_database WHERE datname = current_database()"
    ).fetchone()
    return bool(row and row[0])


def missing_roles(db: Database) -> list[str]:
    held = {
        r[0]
        for r in db.execute_sql(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (list(GROUP_ROLES),)
        )
    }
    return [r for r in GROUP_ROLES if r not in held]


def may_create_roles(db: Database) -> bool:
    row = db.execute_sql(
        "SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user"
    ).fetchone()
    return bool(row and row[0])


def set_up_roles(db: Database) -> list[str]:
    """Create the group roles if this login may, grant them on the book's schema and take
    TEMPORARY on the database from PUBLIC if this login owns the database.

    Returns the SQL a DBA must still run (empty when everything was done here)."""
    schema = quoted_identifier(db, current_schema(db))
    database = quoted_identifier(db, str(db.execute_sql("SELECT current_database()").fetchone()[0]))
    temporary = [] if owns_database(db) else temporary_sql(database)
    missing = missing_roles(db)
    if missing and not may_create_roles(db):
        return create_roles_sql() + grants_sql(schema) + temporary_sql(database)
    with db.atomic():
        if missing:
            for statement in create_roles_sql():
                db.execute_sql(statement)
        for statement in grants_sql(schema):
            db.execute_sql(statement)
        if not temporary:
            for statement in temporary_sql(database):
                db.execute_sql(statement)
    return temporary
