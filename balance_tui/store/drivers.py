"""Peewee without the PostgreSQL driver until a PostgreSQL book is opened.

Peewee imports psycopg2 as it loads (about 25 ms of a 0.7 s start), though a SQLite book
never uses it. ``store/__init__.py`` (and ``services/__init__.py``, whose modules import
peewee too) import it with psycopg2 hidden, before any module of theirs can;
``store.connection`` calls :func:`load_postgres_driver` before it opens a PostgreSQL URL,
which hands peewee the driver as peewee would have found it at import (its module globals
and the adapter's transaction states: peewee 4.5's names, hence the pin; every PostgreSQL
test runs through this path).
"""

from __future__ import annotations

import sys
import threading
from typing import Any

_loading = threading.Lock()


def import_peewee_without_postgres_driver() -> None:
    """Import peewee, hiding psycopg2 from it; nothing to do once either is loaded."""
    if "peewee" in sys.modules or "psycopg2" in sys.modules:
        return
    sys.modules["psycopg2"] = None  # type: ignore[assignment]  # its import now fails
    try:
        import peewee  # noqa: F401
    finally:
        del sys.modules["psycopg2"]


def load_postgres_driver() -> None:
    """Give peewee psycopg2 if it loaded without it. Without psycopg2 installed this does
    nothing: peewee then reports the missing driver when it connects."""
    import peewee as typed_peewee

    peewee: Any = typed_peewee  # its driver globals are not in its type hints
    with _loading:
        if peewee.psycopg2 is not None:
            return
        try:
            import psycopg2
            import psycopg2.extensions
            import psycopg2.extras
        except ImportError:
            return
        psycopg2.extras.register_uuid()
        adapter = peewee.Psycopg2Adapter
        adapter.txn_idle = psycopg2.extensions.TRANSACTION_STATUS_IDLE
        adapter.txn_inerror = psycopg2.extensions.TRANSACTION_STATUS_INERROR
        adapter.txn_unknown = psycopg2.extensions.TRANSACTION_STATUS_UNKNOWN
        peewee.pg_extensions = psycopg2.extensions
        peewee.Json_pg2 = psycopg2.extras.Json
        peewee.psycopg2 = psycopg2  # last: it marks the driver as loaded
