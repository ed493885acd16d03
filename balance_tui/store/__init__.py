"""Storage: Peewee models, connections and migrations. Only services import this."""

from balance_tui.store.connection import connect, default_database_path, describe_database
from balance_tui.store.schema import initialize_balance_tables

__all__ = ["connect", "default_database_path", "describe_database", "initialize_balance_tables"]
