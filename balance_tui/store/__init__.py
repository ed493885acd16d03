"""Storage: Peewee models, connections, migrations and every SQL statement the app runs.

Only ``services`` import this; nothing outside ``store/`` writes SQL text.
"""

from balance_tui.store.drivers import import_peewee_without_postgres_driver

import_peewee_without_postgres_driver()  # before the modules below import peewee

from balance_tui.store.connection import (  # noqa: E402
    connect,
    default_database_path,
    describe_database,
)
from balance_tui.store.schema import initialize_balance_tables, schema_state  # noqa: E402
from balance_tui.store.transactions import read_snapshot, write_transaction  # noqa: E402

__all__ = [
    "connect",
    "default_database_path",
    "describe_database",
    "initialize_balance_tables",
    "read_snapshot",
    "schema_state",
    "write_transaction",
]
