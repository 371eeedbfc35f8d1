"""JSON API of the protocol's HTTP section: the read side and non-realtime writers.

Each view parses, calls one use case and shapes the answer; OpenAPI comes from the schemas.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from quart import Blueprint, Response, request
from quart_schema import (
    document_request,
    document_response,
    validate_querystring,
    validate_request,
)

from app.domain.errors import Invalid, NotFound
from app.domain.models import ThreadStatus
from app.domain.text import clean_display_name
from app.services import payloads as p
from app.services.views import message_view, posted_extras, rating_view, thread_view
from app.web.deps import current_visitor, entity_id, json_object, services, snapshots

bp = Blueprint("api", __name__, url_prefix="/api/v1")
_ROOM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
Json = dict[str, Any]


class ThreadsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: ThreadStatus | None = None
    cursor: Annotated[int, Field(ge=0)] | None = None


class SimilarQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: Annotated[str, StringConstraints(max_length=2000)] = ""


class VisitorOut(BaseModel):
    id: str
    name: str
    token: str


def _room(key: str) -> str:
    if not _ROOM.fullmatch(key):
        raise Invalid("room: not a valid product key")
    return key


@bp.post("/visitors")
@validate_request(p.NewVisitor)
@document_response(VisitorOut, 201)
async def create_visitor(data: p.NewVisitor) -> tuple[Json, int]:
    """Create a visitor with a display name; keep the token to post later."""
    svc = services()
    await svc.limits.check_new_visitor(request.remote_addr or "unknown")
    if data.invite is not None and data.shopper is not None:
        raise Invalid("send either shopper or invite, not both")
    clean_display_name(data.name)  # a bad name must not spend the invitation
    customer = await svc.owners.redeem(data.invite) if data.invite is not None else None
    visitor, token = await svc.identity.create_visitor(
        data.name, data.shopper, client_address=request.remote_addr, customer_id=customer
    )
    return {"id": visitor.id, "name": visitor.name, "token": token}, 201


@bp.get("/rooms/<key>/threads")
@validate_querystring(ThreadsQuery)
async def list_threads(key: str, query_args: ThreadsQuery) -> Response:
    """Threads of a room, newest first; pass `next_cursor` back as `cursor` for older ones.
    Rendered once per room seq (`ETag`; `If-None-Match` gets a 304)."""
    qa, room = services().qa, _room(key)
    seq = await qa.room_seq(room)  # before the read: a change meanwhile moves it again

    async def render() -> Json:
        threads = await qa.recent_threads(
            room, before_seq=query_args.cursor, status=query_args.status
        )
        return {"threads": threads, "next_cursor": threads[-1]["seq"] if threads else None}

    key_ = ("threads", room, query_args.cursor, query_args.status, seq)
    return await snapshots().json(key_, render)


@bp.get("/threads/<thread_id>")
async def get_thread(thread_id: str) -> Response:
    """A thread with all its messages (rendered once per room seq, with an `ETag`)."""
    qa = services().qa
    found = await qa.get_thread(entity_id(thread_id, "question"))
    seq = await qa.room_seq(found.room)

    async def render() -> Json:
        thread = await qa.get_thread(found.id)
        if thread.held:
            raise NotFound("no such question")
        return {"thread": await qa.thread_with_messages(thread)}

    return await snapshots().json(("thread", found.id, seq), render)


@bp.get("/rooms/<key>/similar")
@validate_querystring(SimilarQuery)
async def similar(key: str, query_args: SimilarQuery) -> Json:
    """Answered questions and FAQ entries of this room that look like a draft question,
    each with its `lang` and `score` (0-1), best first."""
    svc = services()
    return await svc.knowledge.similar(_room(key), query_args.q, svc.settings.similar_limit)


@bp.post("/rooms/<key>/self-served")
async def self_served(key: str) -> tuple[Json, int]:
    """ "This answered my question" on an instant answer (`thread_id` or `faq_id`): a
    question the shopper did not need to ask. No identity needed; limited per address."""
    svc = services()
    await svc.limits.check_self_served(request.remote_addr or "unknown")
    await svc.knowledge.self_served(_room(key), await json_object())
    return {"ok": True}, 201


@bp.get("/rooms/<key>/faq")
async def room_faq(key: str) -> Json:
    """The room's FAQ, oldest first."""
    return {"faq": await services().knowledge.room_faq(_room(key))}


# Writes: identity first (the Bearer token), then the use case's own order (ban, rate limit,
# payload, lifecycle, moderation). The schemas below document the bodies for OpenAPI; the
# use case validates them, so a banned or flooding visitor is refused before the body is read.


@bp.post("/rooms/<key>/threads")
@document_request(p.AskHttp)
async def ask(key: str) -> tuple[Json, int]:
    """Ask a question (Bearer visitor token); a repeated client_id returns the same thread."""
    visitor = await current_visitor()
    posted = await services().qa.ask(visitor, {**await json_object(), "room": _room(key)})
    return {"thread": thread_view(posted.thread), **posted_extras(posted)}, 201


@bp.post("/threads/<thread_id>/answers")
@document_request(p.AnswerHttp)
async def answer(thread_id: str) -> tuple[Json, int]:
    """Answer a question (Bearer visitor token); idempotent on client_id."""
    visitor = await current_visitor()
    data = {**await json_object(), "thread_id": entity_id(thread_id, "question")}
    posted = await services().qa.answer(visitor, data)
    assert posted.message is not None
    return {"message": message_view(posted.message), **posted_extras(posted)}, 201


@bp.post("/messages/<message_id>/vote")
@document_request(p.VoteHttp)
async def vote(message_id: str) -> Json:
    """Mark an answer helpful (value 1) or withdraw the vote (value 0)."""
    visitor = await current_visitor()
    data = {**await json_object(), "message_id": entity_id(message_id, "answer")}
    message = await services().qa.vote(visitor, data)
    return {"message": message_view(message)}


@bp.post("/messages/<message_id>/accept")
async def accept(message_id: str) -> Json:
    """The asker accepts an answer; the thread becomes resolved."""
    visitor = await current_visitor()
    data = {"message_id": entity_id(message_id, "answer")}
    thread = await services().qa.accept(visitor, data)
    return {"thread": thread_view(thread)}


@bp.post("/reports")
@document_request(p.Report)
async def report() -> tuple[Json, int]:
    """Report an answer (`message_id`) or a question (`thread_id`) to the moderators
    (Bearer visitor token), with a reason."""
    visitor = await current_visitor()
    await services().moderation.report(visitor, await json_object())
    return {"ok": True}, 201


@bp.post("/threads/<thread_id>/resolve")
async def resolve(thread_id: str) -> Json:
    """The asker marks their question resolved."""
    visitor = await current_visitor()
    thread = await services().qa.resolve(visitor, {"thread_id": entity_id(thread_id, "question")})
    return {"thread": thread_view(thread)}


@bp.post("/threads/<thread_id>/rating")
@document_request(p.RateHttp)
async def rate(thread_id: str) -> Json:
    """The asker rates the answers to their question: did it help, and would they have
    contacted customer service without it (true, false or null). Rating again replaces."""
    visitor = await current_visitor()
    data = {**await json_object(), "thread_id": entity_id(thread_id, "question")}
    rating = await services().insights.rate(visitor, data)
    return {"ok": True, "rating": rating_view(rating)}
