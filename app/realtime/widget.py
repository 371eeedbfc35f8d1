"""The widget namespace `/` of the public protocol. Handlers parse, call one use case, ack.

Per-connection state (who, which rooms) lives in the Socket.IO session, so the namespace
object holds only its collaborators.
"""

from __future__ import annotations

import time
from typing import Any

import socketio

from app.domain.errors import Unauthorized
from app.domain.models import Visitor
from app.realtime import names
from app.realtime.acks import Ack, acknowledged
from app.realtime.presence import PresenceBroadcast
from app.services import payloads as p
from app.services.identity import Identity
from app.services.insights import InsightsService
from app.services.moderation import ModerationService
from app.services.qa import QA
from app.services.ratelimit import RateLimits
from app.services.views import message_view, posted_extras, rating_view, thread_view

TYPING_EVERY = 1.0  # seconds: a client's typing pings closer together are dropped


class WidgetNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    def __init__(
        self,
        qa: QA,
        moderation: ModerationService,
        identity: Identity,
        presence: PresenceBroadcast,
        limits: RateLimits,
        insights: InsightsService,
    ) -> None:
        super().__init__(names.WIDGET_NAMESPACE)
        self.insights = insights
        self.qa = qa
        self.moderation = moderation
        self.identity = identity
        self.presence = presence
        self.limits = limits

    # connection --------------------------------------------------------------------------
    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        visitor: Visitor | None = None
        token = auth.get("token") if isinstance(auth, dict) else None
        if token is not None:
            try:
                visitor = await self.identity.visitor_from_token(token)
            except Unauthorized:
                visitor = None  # read-only: every write will answer `unauthorized`
        session: dict[str, Any] = {
            "visitor": visitor,
            "rooms": set(),
            "typing_at": 0.0,
            "address": str(environ.get("REMOTE_ADDR") or "unknown"),
        }
        await self.save_session(sid, session)
        if visitor is not None:
            await self.enter_room(sid, names.visitor_channel(visitor.id))
            await self.presence.presence.enter(names.visitor_presence(visitor.id), sid)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        session = await self.get_session(sid)
        if session["visitor"] is not None:  # first: answers from now on may e-mail them
            await self.presence.presence.leave(names.visitor_presence(session["visitor"].id), sid)
        for room in list(session["rooms"]):
            await self._left(sid, room)

    # reads -------------------------------------------------------------------------------
    @acknowledged
    async def on_join(self, sid: str, data: Any) -> Ack:
        cmd = p.parse(p.Join, data)
        session = await self.get_session(sid)
        viewer: Visitor | None = session["visitor"]
        address = session["address"]
        room = await self.qa.open_room(cmd, lambda: self.limits.check_new_room(address))
        channel = names.room_channel(cmd.room)
        entering = cmd.room not in session["rooms"]
        if entering:  # enter first, then read: an event committed meanwhile is never lost
            session["rooms"].add(cmd.room)
            await self.enter_room(sid, channel)
        try:
            result = await self.qa.join(room, cmd.since, viewer.id if viewer else None)
        except BaseException:
            if entering:
                session["rooms"].discard(cmd.room)
                await self.leave_room(sid, channel)
            raise
        if entering:
            await self.presence.enter(cmd.room, sid)
        return {
            "ok": True,
            "room": {
                "key": room.key,
                "title": room.title,
                "url": room.url,
                "category": room.category,
            },
            "seq": result.seq,
            "threads": result.threads,
            "missed": result.missed,
            "complete": result.complete,
        }

    @acknowledged
    async def on_leave(self, sid: str, data: Any) -> Ack:
        cmd = p.parse(p.Leave, data)
        session = await self.get_session(sid)
        if cmd.room in session["rooms"]:
            await self._left(sid, cmd.room)
        return {"ok": True}

    async def _left(self, sid: str, room: str) -> None:
        session = await self.get_session(sid)
        session["rooms"].discard(room)
        await self.leave_room(sid, names.room_channel(room))
        await self.presence.leave(room, sid)

    # writes: each handler hands the raw payload to one use case (the one write path) -----
    async def _visitor(self, sid: str) -> Visitor | None:
        visitor: Visitor | None = (await self.get_session(sid))["visitor"]
        return visitor

    @acknowledged
    async def on_ask(self, sid: str, data: Any) -> Ack:
        posted = await self.qa.ask(await self._visitor(sid), data)
        view = thread_view(posted.thread)
        await self.qa.add_ranks([view])
        return {"ok": True, "thread": view, **posted_extras(posted)}

    @acknowledged
    async def on_answer(self, sid: str, data: Any) -> Ack:
        posted = await self.qa.answer(await self._visitor(sid), data)
        assert posted.message is not None
        view = message_view(posted.message)
        await self.qa.add_ranks([view])
        return {"ok": True, "message": view, **posted_extras(posted)}

    @acknowledged
    async def on_rate(self, sid: str, data: Any) -> Ack:
        rating = await self.insights.rate(await self._visitor(sid), data)
        return {"ok": True, "rating": rating_view(rating)}

    @acknowledged
    async def on_report(self, sid: str, data: Any) -> Ack:
        await self.moderation.report(await self._visitor(sid), data)
        return {"ok": True}

    @acknowledged
    async def on_vote(self, sid: str, data: Any) -> Ack:
        message = await self.qa.vote(await self._visitor(sid), data)
        return {"ok": True, "message": message_view(message)}

    @acknowledged
    async def on_accept(self, sid: str, data: Any) -> Ack:
        thread = await self.qa.accept(await self._visitor(sid), data)
        return {"ok": True, "thread": thread_view(thread)}

    @acknowledged
    async def on_resolve(self, sid: str, data: Any) -> Ack:
        thread = await self.qa.resolve(await self._visitor(sid), data)
        return {"ok": True, "thread": thread_view(thread)}

    @acknowledged
    async def on_typing(self, sid: str, data: Any) -> Ack:
        cmd = p.parse(p.ThreadRef, data)
        visitor = await self._visitor(sid)
        if visitor is None:
            raise Unauthorized("connect with a visitor token to post")
        session = await self.get_session(sid)
        now = time.monotonic()
        if now - session["typing_at"] < TYPING_EVERY:
            return {"ok": True}
        session["typing_at"] = now
        thread = await self.qa.get_thread(cmd.thread_id)
        await self.emit(
            names.TYPING,
            {"room": thread.room, "thread_id": thread.id, "name": visitor.name},
            room=names.room_channel(thread.room),
            skip_sid=sid,
        )
        return {"ok": True}
