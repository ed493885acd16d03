"""PostgreSQL group roles of one book, and their grants (run by ``balance-tui migrate``).

Each book has its own four roles, named with the book's prefix (``book_info.roles_prefix``,
derived from the database and schema, or given once to ``migrate --roles-prefix``):
``<prefix>_operator`` reads everything and appends changes, alerts, acknowledgements,
refusals, requests and audit records; ``<prefix>_supervisor`` is an operator who also
decides approval requests and changes customers; ``<prefix>_admin`` a supervisor who also
sets authority and tier rules; ``<prefix>_auditor`` only reads (and logs checkpoints). So a
login granted a role for one book has no rights in another book on the same server.
Nobody is granted UPDATE or DELETE on the trail (events, requests, decisions, audit
records). Every identifier is quoted by the driver, never pasted.

Creating roles needs CREATEROLE, and revoking CONNECT and TEMPORARY on the database needs
its owner: what this login may not do, ``migrate`` prints as SQL for a DBA. Books set up
before roles were per book used the shared ``balance_*`` roles: those lose their rights on
this schema, and ``migrate`` says which roles to grant instead.
"""

from __future__ import annotations

import hashlib
import re

from peewee import Database

from balance_tui.domain.record import record
from balance_tui.store.trusted_triggers import quoted_identifier

ROLES = ("operator", "supervisor", "auditor", "admin")
#: The roles every book shared before roles were per book.
LEGACY_PREFIX = "balance"
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
#: The role that owns the book's SECURITY DEFINER functions (``<prefix>_definer``).
DEFINER = "definer"
#: A role name is at most 63 bytes; the longest suffix is "_supervisor".
MAX_PREFIX = 50


@record
class RoleSetUp:
    """What ``migrate`` did with the book's roles."""

    names: dict[str, str]
    #: SQL a DBA must still run (empty: all done here).
    still_to_run: list[str]
    #: The shared roles this schema was taken from (books set up before per-book roles).
    legacy_revoked: bool


def role_names(prefix: str) -> dict[str, str]:
    return {role: f"{prefix}_{role}" for role in ROLES}


def derived_prefix(database: str, schema: str) -> str:
    """``bt_<database>_<schema>`` in lower-case letters, digits and underscores; a long
    one is cut and made unique with a hash."""
    text = re.sub(r"[^a-z0-9_]", "_", f"bt_{database}_{schema}".lower())
    if len(text) <= MAX_PREFIX:
        return text
    digest = hashlib.sha256(f"{database}\n{schema}".encode()).hexdigest()[:8]
    return f"{text[: MAX_PREFIX - 9]}_{digest}"


def check_prefix(prefix: str) -> str:
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,49}", prefix) or prefix == LEGACY_PREFIX:
        raise ValueError(
            "A roles prefix is a lower-case letter then up to 49 letters, digits or "
            f"underscores, and not {LEGACY_PREFIX!r} (the roles every book used to share)."
        )
    return prefix


def book_prefix(db: Database) -> str:
    """The book's roles prefix; the shared ``balance`` for a book set up before."""
    row = db.execute_sql(
        f"SELECT value FROM book_info WHERE key = {db.param}", ("roles_prefix",)
    ).fetchone()
    return LEGACY_PREFIX if row is None else str(row[0])


def create_roles_sql(q: dict[str, str]) -> list[str]:
    """``q``: the role names by role, quoted."""
    return [
        f"DO $$ BEGIN CREATE ROLE {name} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        for name in q.values()
    ] + [
        f"GRANT {q['operator']} TO {q['supervisor']}",
        f"GRANT {q['supervisor']} TO {q['admin']}",
    ]


def grants_sql(schema: str, q: dict[str, str] | None = None) -> list[str]:
    """The grants on the book's schema (``schema`` already quoted; ``q`` the role names by
    role, quoted; the shared names when not given).

    Operators may update only the columns of a customer that move with its events (a
    trigger holds those to the latest event); supervisors change its attributes through
    the app, audited."""
    q = q or role_names(LEGACY_PREFIX)
    op, sup, aud, adm = q["operator"], q["supervisor"], q["auditor"], q["admin"]
    everyone = f"{op}, {sup}, {aud}, {adm}"
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {everyone}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {everyone}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {op}",
        f"GRANT INSERT ON {', '.join(f'{schema}.{t}' for t in OPERATOR_INSERTS)} TO {op}",
        f"REVOKE UPDATE ON {schema}.customer FROM {op}",
        f"GRANT UPDATE ({', '.join(CUSTOMER_EVENT_COLUMNS)}) ON {schema}.customer TO {op}",
        f"GRANT UPDATE ({', '.join(ACK_COLUMNS)}) ON {schema}.alert TO {op}",
        f"GRANT INSERT, UPDATE ON {schema}.rollup TO {op}",
        # To lock the audit chain (SELECT ... FOR UPDATE); a trigger refuses real updates.
        f"GRANT UPDATE (id) ON {schema}.audit_chain_lock TO {op}",
        f"GRANT INSERT ON {schema}.approval_decision TO {sup}",
        # A customer's attributes change through the app, by a supervisor, audited.
        f"GRANT UPDATE ({', '.join(CUSTOMER_ATTRIBUTE_COLUMNS)}) ON {schema}.customer TO {sup}",
        f"GRANT INSERT ON {schema}.customer_change TO {sup}",
        f"GRANT INSERT, UPDATE ON {schema}.authority TO {adm}",
        f"GRANT INSERT, UPDATE ON {schema}.tier_rule TO {adm}",
        # Whoever verifies makes checkpoints: auditors too append to the book's log.
        f"GRANT INSERT ON {schema}.checkpoint_log TO {op}, {aud}",
    ]


def database_sql(database: str, q: dict[str, str] | None = None) -> list[str]:
    """Only the book's roles connect to its database, and no login creates temporary
    objects there (``database`` quoted): the triggers do not read them anyway; this takes
    away the tool."""
    q = q or role_names(LEGACY_PREFIX)
    return [
        f"REVOKE CONNECT, TEMPORARY ON DATABASE {database} FROM PUBLIC",
        f"GRANT CONNECT ON DATABASE {database} TO {', '.join(q.values())}",
    ]


def legacy_revoke_sql(schema: str, legacy: list[str]) -> list[str]:
    """Take the shared ``balance_*`` roles' rights on this schema (``legacy`` quoted)."""
    shared = ", ".join(legacy)
    return [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {shared}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {shared}",
        f"REVOKE USAGE ON SCHEMA {schema} FROM {shared}",
    ]


def _one(db: Database, sql: str) -> object:
    return db.execute_sql(sql).fetchone()[0]


def owns_database(db: Database) -> bool:
    return bool(
        _one(
            db,
            "SELECT pg_catalog.pg_get_userbyid(datdba) = current_user OR "
            "(SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) "
            "FROM pg_catalog.pg_database WHERE datname = current_database()",
        )
    )


def existing_roles(db: Database, names: list[str]) -> set[str]:
    cursor = db.execute_sql(
        "SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY(%s)", (names,)
    )
    return {r[0] for r in cursor}


def may_create_roles(db: Database) -> bool:
    return bool(
        _one(
            db,
            "SELECT rolcreaterole OR rolsuper FROM pg_catalog.pg_roles "
            "WHERE rolname = current_user",
        )
    )


def set_up_roles(db: Database, prefix: str | None = None) -> RoleSetUp:
    """Give the book its roles (named with ``prefix``, else the one it has, else one derived
    from the database and schema), grant them on its schema, and take the shared roles'
    rights on it. What this login may not do is returned as SQL for a DBA."""
    schema_name = str(_one(db, "SELECT current_schema()"))
    database_name = str(_one(db, "SELECT current_database()"))
    held = book_prefix(db)
    if held != LEGACY_PREFIX and prefix is not None and prefix != held:
        raise ValueError(f"This book's roles are already named {held}_*; it keeps them.")
    chosen = (
        held
        if held != LEGACY_PREFIX
        else check_prefix(prefix or derived_prefix(database_name, schema_name))
    )
    names = role_names(chosen)
    quoted = {role: quoted_identifier(db, name) for role, name in names.items()}
    schema, database = quoted_identifier(db, schema_name), quoted_identifier(db, database_name)
    legacy = _legacy_with_rights(db, schema_name)
    here = grants_sql(schema, quoted) + (legacy_revoke_sql(schema, legacy) if legacy else [])
    owner_only = database_sql(database, quoted)
    here += definer_sql(db, schema_name, quoted_identifier(db, f"{chosen}_{DEFINER}"))
    wanted = [*names.values(), f"{chosen}_{DEFINER}"]
    missing = set(wanted) - existing_roles(db, wanted)
    with db.atomic():
        if held == LEGACY_PREFIX:
            db.execute_sql(
                "INSERT INTO book_info (key, value) VALUES (%s, %s)", ("roles_prefix", chosen)
            )
        if missing and not may_create_roles(db):
            return RoleSetUp(names, create_roles_sql(quoted) + here + owner_only, bool(legacy))
        for statement in (create_roles_sql(quoted) if missing else []) + here:
            db.execute_sql(statement)
        if owns_database(db):
            for statement in owner_only:
                db.execute_sql(statement)
            owner_only = []
    return RoleSetUp(names, owner_only, bool(legacy))


def definer_sql(db: Database, schema_name: str, definer: str) -> list[str]:
    """The book's SECURITY DEFINER functions owned by ``definer`` (quoted): a role that
    cannot log in and may only read the book, so they run with no more rights than they
    need. The schema owner is made a member, so its later migrations may replace them."""
    schema = quoted_identifier(db, schema_name)
    functions = [
        f"{schema}.{signature}"
        for (signature,) in db.execute_sql(
            "SELECT quote_ident(p.proname) || '(' || "
            "pg_catalog.pg_get_function_identity_arguments(p.oid) || ')' "
            "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n "
            "ON n.oid = p.pronamespace WHERE n.nspname = %s AND p.prosecdef ORDER BY 1",
            (schema_name,),
        )
    ]
    owner = quoted_identifier(db, str(_one(db, "SELECT current_user")))
    return [
        f"DO $$ BEGIN CREATE ROLE {definer} NOLOGIN; EXCEPTION WHEN duplicate_object THEN "
        "NULL; END $$",
        f"GRANT {definer} TO {owner}",
        f"GRANT USAGE ON SCHEMA {schema} TO {definer}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {definer}",
        *(f"ALTER FUNCTION {function} OWNER TO {definer}" for function in functions),
    ]


def _legacy_with_rights(db: Database, schema_name: str) -> list[str]:
    """The shared roles that still have rights on this schema (quoted)."""
    shared = list(role_names(LEGACY_PREFIX).values())
    return [
        quoted_identifier(db, role)
        for role in sorted(existing_roles(db, shared))
        if _one_param(db, "SELECT has_schema_privilege(%s, %s, 'USAGE')", (role, schema_name))
    ]


def _one_param(db: Database, sql: str, params: tuple[object, ...]) -> object:
    return db.execute_sql(sql, params).fetchone()[0]
