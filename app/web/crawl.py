"""Crawlable answers: `/q/<room>` and `/q/<room>/<thread>` (server-rendered, no JavaScript,
schema.org JSON-LD), `/q/sitemap.xml`, and `GET /api/v1/rooms/<key>/snippet` for a shop to
include the same answers in its own product page on its server.

Only what anyone may read appears: published questions with their public, visible answers,
and the FAQ (held, hidden, private and erased content never does). Pages are cached whole
per room "stamp" (its event seq, which every published change, hiding and erasure bump, and
FAQ edits), with an ETag; a 304 answers a matching `If-None-Match`.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape

from quart import Blueprint, Response, g, render_template, request

from app.domain.errors import NotFound
from app.domain.models import Message, Room
from app.domain.text import render_html
from app.services.knowledge import Answered, RoomPage
from app.web.deps import pages, services

bp = Blueprint("crawl", __name__)
_ROOM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")
_THREAD = re.compile(r"[0-9a-f]{16}")
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_AGE = 60  # seconds shops' caches and crawlers may keep a page
CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
HEADERS = {"Cache-Control": f"public, max-age={MAX_AGE}", "Content-Security-Policy": CSP,
           "Vary": "Accept-Language"}  # fmt: skip


def _base() -> str:
    return (services().settings.public_url or request.host_url).rstrip("/")


def _person(name: str) -> dict[str, str]:
    return {"@type": "Person", "name": name}


def _answer_ld(message: Message, url: str) -> dict[str, Any]:
    return {"@type": "Answer", "text": message.body, "dateCreated": message.created_at.isoformat(),
            "upvoteCount": message.votes, "url": f"{url}#a-{message.id}",
            "author": _person(message.author_name)}  # fmt: skip


def qa_page_ld(item: Answered, url: str) -> dict[str, Any]:
    """schema.org QAPage: the question, its accepted answer, the other answers."""
    thread = item.thread
    question: dict[str, Any] = {
        "@type": "Question", "name": thread.body[:110], "text": thread.body,
        "answerCount": len(item.answers), "dateCreated": thread.created_at.isoformat(),
        "author": _person(thread.author_name),
    }  # fmt: skip
    accepted = item.accepted
    if accepted is not None:
        question["acceptedAnswer"] = _answer_ld(accepted, url)
    others = [m for m in item.answers if m is not accepted]
    if others:
        question["suggestedAnswer"] = [_answer_ld(m, url) for m in others]
    return {"@context": "https://schema.org", "@type": "QAPage", "mainEntity": question}


def faq_page_ld(page: RoomPage) -> dict[str, Any] | None:
    if not page.faq:
        return None
    return {"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": [
        {"@type": "Question", "name": e.question,
         "acceptedAnswer": {"@type": "Answer", "text": e.answer}} for e in page.faq
    ]}  # fmt: skip


def _lang() -> str:
    return "en" if g.locale == "en" else "fr"


async def _cached(key: tuple[Any, ...], render: Any) -> Response:
    """The page for `key` from the cache, or rendered now; 304 when the client has it."""

    async def encoded() -> bytes:
        return str(await render()).encode()

    return await pages().respond(key, encoded, content_type="text/html; charset=utf-8",
                                 headers=HEADERS)  # fmt: skip


async def _stamp(room_key: str) -> tuple[int, int]:
    if not _ROOM.fullmatch(room_key):
        raise NotFound("no such product")
    stamp = await services().knowledge.room_stamp(room_key)
    if stamp is None:
        raise NotFound("no such product")
    return stamp


def _context(room: Room) -> dict[str, Any]:
    return {"room": room, "lang": _lang(), "base": _base(), "render_html": render_html}


@bp.get("/q/<key>")
async def room_page(key: str) -> Response:
    """A product's answered questions and FAQ, for people and search engines."""
    stamp = await _stamp(key)

    async def render() -> str:
        page = await services().knowledge.room_page(key)
        if page is None:
            raise NotFound("no such product")
        return await render_template(
            "q/room.html", page=page, faq_ld=faq_page_ld(page),
            noindex=not page.faq and not page.answered, **_context(page.room),
        )  # fmt: skip

    return await _cached(("room", key, _lang(), stamp), render)


@bp.get("/q/<key>/<thread_id>")
async def thread_page(key: str, thread_id: str) -> Response:
    """One question and its answers, as a schema.org QAPage."""
    stamp = await _stamp(key)
    if not _THREAD.fullmatch(thread_id):
        raise NotFound("no such question")

    async def render() -> str:
        found = await services().knowledge.thread_page(key, thread_id)
        if found is None:
            raise NotFound("no such question")
        room, item = found
        url = f"{_base()}/q/{key}/{thread_id}"
        return await render_template(
            "q/thread.html", item=item, qa_ld=qa_page_ld(item, url) if item.answers else None,
            noindex=not item.answers, **_context(room),
        )  # fmt: skip

    return await _cached(("thread", key, thread_id, _lang(), stamp), render)


@bp.get("/api/v1/rooms/<key>/snippet")
async def snippet(key: str) -> Response:
    """An HTML fragment of the product's FAQ and answered questions (with its JSON-LD) for
    the shop's server to put in its product page; `lang=fr|en` for the labels."""
    stamp = await _stamp(key)

    async def render() -> str:
        page = await services().knowledge.room_page(key)
        if page is None:
            raise NotFound("no such product")
        return await render_template("q/snippet.html", page=page, faq_ld=faq_page_ld(page),
                                     **_context(page.room))  # fmt: skip

    return await _cached(("snippet", key, _lang(), stamp), render)


@bp.get("/q/sitemap.xml")
async def sitemap() -> Response:
    """Every product page with answers, and every answered question's page."""
    base = _base()
    urls = []
    for room_key, thread_ids in await services().knowledge.sitemap():
        urls.append(f"{base}/q/{room_key}")
        urls += [f"{base}/q/{room_key}/{t}" for t in thread_ids]
    body = "".join(f"<url><loc>{escape(u)}</loc></url>" for u in urls)
    xml = f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{SITEMAP_NS}">{body}</urlset>'
    return Response(xml, content_type="application/xml; charset=utf-8",
                    headers={"Cache-Control": f"public, max-age={MAX_AGE}"})  # fmt: skip
