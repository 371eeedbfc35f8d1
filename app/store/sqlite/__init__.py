"""The SQLite adapter, split by table group; `SqliteStore` is the one `create_app` uses."""

from app.store.sqlite.insights import SqliteInsights
from app.store.sqlite.knowledge import SqliteKnowledge
from app.store.sqlite.mail import SqliteMail
from app.store.sqlite.moderation import SqliteModeration
from app.store.sqlite.owners import SqliteOwners
from app.store.sqlite.privacy import SqlitePrivacy
from app.store.sqlite.qa import SqliteQA
from app.store.sqlite.review import SqliteReview
from app.store.sqlite.rewards import SqliteRewards


class SqliteStore(
    SqliteQA,
    SqliteModeration,
    SqliteReview,
    SqliteRewards,
    SqliteInsights,
    SqliteMail,
    SqliteOwners,
    SqlitePrivacy,
    SqliteKnowledge,
):
    """Every table group over one pair of connections (see base.SqliteBase)."""


__all__ = ["SqliteStore"]
