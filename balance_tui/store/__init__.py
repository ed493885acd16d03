"""Storage: Peewee models, connections, migrations and every SQL statement the app runs.

Only ``services`` import this; nothing outside ``store/`` writes SQL text.
"""

from balance_tui.store.connection import connect, default_database_path, describe_database
from balance_tui.store.schema import initialize_balance_tables, schema_state
from balance_tui.store.transactions import read_snapshot, write_transaction

__all__ = [
    "connect",
    "default_database_path",
    "describe_database",
    "initialize_balance_tables",
    "read_snapshot",
    "schema_state",
    "write_transaction",
]
