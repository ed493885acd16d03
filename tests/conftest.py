"""Shared fixtures: a real database per test (SQLite file, and PostgreSQL when reachable),
a frozen clock that tests move on, and the services over both."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from balance_tui.config import Settings
from balance_tui.services import Services, build_services
from balance_tui.store import connect, initialize_balance_tables

PG_URL = os.environ.get("BALANCE_TUI_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
FROZEN = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _postgres_reason() -> str | None:
    """Why PostgreSQL tests cannot run here, or None when the server answers."""
    try:
        import psycopg2
    except ImportError:
        return "psycopg2 is not installed (pip install '.[postgres]')"
    try:
        psycopg2.connect(PG_URL, connect_timeout=3).close()
    except psycopg2.Error as exc:
        return f"no PostgreSQL server answers at {PG_URL}: {str(exc).strip().splitlines()[0]}"
    return None


PG_SKIP_REASON = _postgres_reason()


class TestClock:
    """A clock that stands still until a test moves it."""

    __test__ = False  # a helper, not a test class

    def __init__(self, start: datetime = FROZEN) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> TestClock:
    return TestClock()


@pytest.fixture
def sqlite_url(tmp_path) -> str:  # type: ignore[no-untyped-def]
    return str(tmp_path / "balance.db")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema on the real server for one test, dropped afterwards."""
    if PG_SKIP_REASON:
        pytest.skip(PG_SKIP_REASON)
    import psycopg2

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = psycopg2.connect(PG_URL)
    admin.autocommit = True
    admin.cursor().execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        admin.cursor().execute(f"DROP SCHEMA {schema} CASCADE")
        drop_book_roles(admin, schema)
        admin.close()


def drop_book_roles(admin, schema: str) -> None:  # type: ignore[no-untyped-def]
    """Drop the roles ``migrate`` made for the book in ``schema`` (named from the database
    and schema), with what they were granted."""
    from balance_tui.store.roles import DEFINER, derived_prefix, role_names

    with admin.cursor() as cur:
        cur.execute("SELECT current_database()")
        prefix = derived_prefix(cur.fetchone()[0], schema)
        names = [*role_names(prefix).values(), f"{prefix}_{DEFINER}"]
        cur.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (names,))
        made = [r[0] for r in cur.fetchall()]
        if made:  # CASCADE: the definer's functions, where the schema is still there
            cur.execute(f"DROP OWNED BY {', '.join(made)} CASCADE")
            for role in made:
                cur.execute(f"DROP ROLE {role}")


def login_url(url: str, login: str) -> str:
    """The same database (and schema) as ``url``, connected as ``login`` (trust auth)."""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{login}@{rest.split('@', 1)[1]}"


@pytest.fixture(scope="session", autouse=True)
def pg_group_roles() -> Iterator[None]:
    """The shared balance_* roles of books set up before roles were per book are
    cluster-wide: any a test makes is dropped (with its grants) when the session ends; and
    PUBLIC's CONNECT and TEMPORARY on the test database, which migrate takes, are given back."""
    if PG_SKIP_REASON:
        yield
        return
    import psycopg2

    from balance_tui.store.roles import LEGACY_PREFIX, role_names

    shared = list(role_names(LEGACY_PREFIX).values())

    def existing() -> set[str]:
        with psycopg2.connect(PG_URL) as conn, conn.cursor() as cur:
            cur.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", (shared,))
            return {r[0] for r in cur.fetchall()}

    def public_may() -> list[str]:
        """What PUBLIC may do on the test database (migrate takes CONNECT and TEMPORARY)."""
        with psycopg2.connect(PG_URL) as conn, conn.cursor() as cur:
            cur.execute(
                "SELECT p FROM unnest(ARRAY['CONNECT', 'TEMPORARY']) p WHERE EXISTS ("
                "SELECT 1 FROM pg_database d, aclexplode(COALESCE(d.datacl, "
                "acldefault('d', d.datdba))) a WHERE d.datname = current_database() "
                "AND a.grantee = 0 AND a.privilege_type = p)"
            )
            return [r[0] for r in cur.fetchall()]

    before, allowed = existing(), public_may()
    yield
    restore = sorted(set(allowed) - set(public_may()))
    if restore:  # give the shared test database back as the session found it
        with psycopg2.connect(PG_URL) as conn, conn.cursor() as cur:
            cur.execute("SELECT current_database()")
            cur.execute(f'GRANT {", ".join(restore)} ON DATABASE "{cur.fetchone()[0]}" TO PUBLIC')
    made = sorted(existing() - before)
    if made:
        conn = psycopg2.connect(PG_URL)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"DROP OWNED BY {', '.join(made)}")
            for role in made:
                cur.execute(f"DROP ROLE {role}")
        conn.close()


@pytest.fixture
def pg_logins(postgres_url: str, pg_group_roles: None) -> Iterator[Callable[[str, str], str]]:
    """``make(name, role)`` creates a login holding the book's ``<role>`` role (``"none"``:
    no role at all) on a schema whose roles and grants are set up (as ``migrate`` does) and
    returns its URL; every login is dropped afterwards."""
    import psycopg2

    from balance_tui.store.roles import set_up_roles

    owner = connect(postgres_url)
    initialize_balance_tables(owner)
    done = set_up_roles(owner)
    assert done.still_to_run == []
    owner.close()
    admin = psycopg2.connect(PG_URL)
    admin.autocommit = True
    made: list[str] = []

    def make(name: str, role: str) -> str:
        login = f"{name}_{uuid.uuid4().hex[:6]}"
        with admin.cursor() as cur:
            cur.execute(f"CREATE ROLE {login} LOGIN")
            made.append(login)
            if role != "none":
                cur.execute(f"GRANT {done.names[role]} TO {login}")
        return login_url(postgres_url, login)

    try:
        yield make
    finally:
        with admin.cursor() as cur:
            for login in made:
                cur.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                    (login,),
                )
                cur.execute(f"DROP OWNED BY {login}")
                cur.execute(f"DROP ROLE {login}")
        admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Every service test runs on both backends."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def db(db_url: str) -> Iterator[object]:
    database = connect(db_url)
    initialize_balance_tables(database)
    yield database
    database.close()


@pytest.fixture
def settings() -> Settings:
    """Design defaults: the developer's environment and config file never leak in."""
    return Settings()


@pytest.fixture
def services(db, settings: Settings, clock: TestClock) -> Services:  # type: ignore[no-untyped-def]
    return build_services(db, settings, clock, operator="tester")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """No test reads or writes the real user's data dir, config file or environment."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    for name in (
        "BALANCE_TUI_DB",
        "DB_PATH",
        "BALANCE_TUI_OPERATOR",
        "BALANCE_TUI_CONFIG",
        "BALANCE_TUI_ROLE",
        "BALANCE_TUI_AUDIT_KEY",
        "BALANCE_MIN_DEFAULT",
        "BALANCE_MAX_DEFAULT",
        "BALANCE_WARNING_THRESHOLD",
        "BALANCE_CRITICAL_THRESHOLD",
    ):
        monkeypatch.delenv(name, raising=False)
