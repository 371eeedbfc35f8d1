"""Read responses rendered once per room "stamp" and reused until the room changes.

A room's event seq moves with every published change (a question, an answer, a vote, a
hiding, an erasure), so a response keyed by it stays right until the next change: it is
kept encoded (bytes) with an ETag, and a client or shop that polls with `If-None-Match`
gets a 304. Entries also expire after `ttl` seconds: what a response shows that no room
event announces (contributors' ranks) is at most that old.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Any

from cachetools import TTLCache
from quart import Response, current_app, request


class Snapshots:
    def __init__(self, *, maxsize: int = 5000, ttl: float = 60.0) -> None:
        # (body, etag): bytes, so a hit does not encode the response again
        self._cache: TTLCache[Hashable, tuple[bytes, str]] = TTLCache(maxsize=maxsize, ttl=ttl)

    async def respond(
        self, key: Hashable, render: Callable[[], Awaitable[bytes]], *, content_type: str,
        headers: Mapping[str, str],
    ) -> Response:  # fmt: skip
        """The response for `key` from the cache, or rendered now; 304 when the client
        already has it."""
        found = self._cache.get(key)
        if found is None:
            body = await render()
            found = (body, hashlib.sha256(body).hexdigest()[:32])
            self._cache[key] = found
        body, etag = found
        sent = {**headers, "ETag": f'"{etag}"'}
        if request.if_none_match.contains(etag):
            return Response("", status=304, headers=sent)
        return Response(body, content_type=content_type, headers=sent)

    async def json(self, key: Hashable, render: Callable[[], Awaitable[Any]]) -> Response:
        """A JSON API read: clients revalidate every time (`no-cache`), cheaply."""

        async def encoded() -> bytes:
            return current_app.json.dumps(await render()).encode()

        return await self.respond(key, encoded, content_type="application/json",
                                  headers={"Cache-Control": "no-cache"})  # fmt: skip
