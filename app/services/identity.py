"""Visitors: creation with a clean display name, and the opaque signed token they keep."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from app.domain.errors import Unauthorized
from app.domain.models import Visitor, new_id, utcnow
from app.domain.text import clean_display_name
from app.store.port import Store


class Identity:
    def __init__(self, store: Store, secret_key: str) -> None:
        self._store = store
        self._signer = URLSafeSerializer(secret_key, salt="entraide.visitor")

    async def create_visitor(self, raw_name: str) -> tuple[Visitor, str]:
        visitor = Visitor(id=new_id(), name=clean_display_name(raw_name), created_at=utcnow())
        await self._store.add_visitor(visitor)
        return visitor, self.token_for(visitor)

    def token_for(self, visitor: Visitor) -> str:
        return str(self._signer.dumps({"v": visitor.id}))

    async def visitor_from_token(self, token: object) -> Visitor:
        """The visitor a token names, or Unauthorized (bad signature, unknown, not a str)."""
        if not isinstance(token, str) or len(token) > 200:
            raise Unauthorized("a valid visitor token is required")
        try:
            claims = self._signer.loads(token)
        except BadSignature:
            raise Unauthorized("this visitor token is not valid") from None
        visitor_id = claims.get("v") if isinstance(claims, dict) else None
        visitor = await self._store.get_visitor(visitor_id) if isinstance(visitor_id, str) else None
        if visitor is None:
            raise Unauthorized("this visitor no longer exists")
        return visitor
