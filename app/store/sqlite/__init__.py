"""The SQLite adapter, split by table group; `SqliteStore` is the one `create_app` uses."""

from app.store.sqlite.moderation import SqliteModeration
from app.store.sqlite.qa import SqliteQA


class SqliteStore(SqliteQA, SqliteModeration):
    """Every table group over one pair of connections (see base.SqliteBase)."""


__all__ = ["SqliteStore"]
