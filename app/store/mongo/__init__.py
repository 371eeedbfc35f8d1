"""The MongoDB adapter (PyMongo's async API), split by collection group like the SQLite one;
`MongoStore` is the one `create_app` uses (`MongoStore.from_url`).

Motor reached end of life on 2026-05-14; PyMongo Async is its maintainers' successor.
"""

from app.store.mongo.insights import MongoInsights
from app.store.mongo.knowledge import MongoKnowledge
from app.store.mongo.mail import MongoMail
from app.store.mongo.moderation import MongoModeration
from app.store.mongo.owners import MongoOwners
from app.store.mongo.privacy import MongoPrivacy
from app.store.mongo.qa import MongoQA
from app.store.mongo.review import MongoReview
from app.store.mongo.rewards import MongoRewards


class MongoStore(
    MongoQA,
    MongoModeration,
    MongoReview,
    MongoRewards,
    MongoInsights,
    MongoMail,
    MongoOwners,
    MongoPrivacy,
    MongoKnowledge,
):
    """Every collection group over one client (see base.MongoBase)."""


__all__ = ["MongoStore"]
