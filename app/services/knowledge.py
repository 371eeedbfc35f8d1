"""Knowledge that answers before anyone has to: the room's FAQ (promoted by staff from
resolved threads, texts editable, audited), look-alike answered questions and FAQ entries
for a draft (each with its language and a score), and suggested replies for staff.

Matching is by meaning when the semantic extra runs (`services.semantic`: calibrated
scores, French and English alike, `match: "semantic"`), else lexical: the folded French and
English stems the search index keeps (`domain.text.search_terms`), a score being the share
of the draft's stems a result shares (`match: "lexical"`). The two scores are not on one
scale: a list is ranked by one of them only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from app.domain.errors import Conflict, NotFound
from app.domain.knowledge import QUESTION_MAX, FaqEntry
from app.domain.models import (
    Message,
    MessageKind,
    Room,
    Thread,
    ThreadStatus,
    Visibility,
    new_id,
    utcnow,
)
from app.domain.staff import Staff
from app.domain.text import clean_body, render_html, search_terms
from app.services import payloads as p
from app.services.semantic import Semantic
from app.services.views import thread_view
from app.store.port import KnowledgeUnit
from moderation.cases import AuditEntry
from moderation.text import detect_language

SUGGESTIONS = 3
SHOWN_FLOOR = 0.45  # semantic score a look-alike needs to be shown to a shopper
SUGGESTED_FLOOR = 0.25  # staff judge what they insert: recall first
PAGE_THREADS = 50  # answered questions on a room's public page, newest first
SITEMAP_URLS = 50_000  # the sitemap protocol's limit per file


# (answered questions, FAQ entries), each with its score, best first
Matches = tuple[list[tuple[Thread, float]], list[tuple[FaqEntry, float]]]


@dataclass(frozen=True, slots=True)
class Answered:
    """A published question and the answers anyone may read (accepted one first)."""

    thread: Thread
    answers: list[Message]

    @property
    def accepted(self) -> Message | None:
        first = self.answers[0] if self.answers else None
        return first if first and first.id == self.thread.accepted_message_id else None


@dataclass(frozen=True, slots=True)
class RoomPage:
    room: Room
    faq: list[FaqEntry]
    answered: list[Answered]


def score(query: set[str], text: str) -> float:
    """The share of the query's stems `text` shares (0..1, two decimals)."""
    if not query:
        return 0.0
    return round(len(query & set(search_terms(text))) / len(query), 2)


def faq_view(entry: FaqEntry) -> dict[str, Any]:
    return {"id": entry.id, "room": entry.room, "question": entry.question,
            "answer": entry.answer, "answer_html": render_html(entry.answer),
            "thread_id": entry.thread_id, "lang": entry.lang}  # fmt: skip


def _answer_of(thread: Thread, messages: list[Message]) -> Message | None:
    """The accepted answer, else the most helpful public answer, else the staff's reply."""
    shown = [m for m in messages if m.visibility is Visibility.PUBLIC and not m.hidden and m.body]
    for m in shown:
        if m.id == thread.accepted_message_id:
            return m
    answers = sorted((m for m in shown if m.kind is MessageKind.ANSWER),
                     key=lambda m: (-m.votes, m.created_at))  # fmt: skip
    staff = [m for m in shown if m.kind is MessageKind.STAFF]
    best = answers or staff
    return best[0] if best else None


def _readable(thread: Thread, messages: list[Message]) -> Answered:
    shown = [m for m in messages if m.visibility is Visibility.PUBLIC and not m.hidden and m.body
             and m.kind is not MessageKind.SYSTEM]  # fmt: skip
    shown.sort(key=lambda m: (m.id != thread.accepted_message_id, m.created_at))
    return Answered(thread, shown)


class Knowledge:
    def __init__(
        self, store: KnowledgeUnit, max_body_chars: int, tz: tzinfo,
        semantic: Semantic | None = None,
    ) -> None:  # fmt: skip
        self._store = store
        self._semantic = semantic
        self._max_body = max_body_chars
        self._tz = tz
        self._faq_edits: dict[str, int] = {}  # room -> FAQ changes made by this process

    # public pages (crawlable) ------------------------------------------------------------
    async def room_stamp(self, room_key: str) -> tuple[int, int] | None:
        """What a cached page of the room depends on: its event seq (every published
        change, hiding and erasure included) and this process's FAQ edits; None: no room."""
        room = await self._store.get_room(room_key)
        return None if room is None else (room.seq, self._faq_edits.get(room_key, 0))

    async def room_page(self, room_key: str) -> RoomPage | None:
        room = await self._store.get_room(room_key)
        if room is None:
            return None
        threads = [
            *await self._store.list_threads(room.key, status=ThreadStatus.RESOLVED,
                                            limit=PAGE_THREADS),
            *await self._store.list_threads(room.key, status=ThreadStatus.ANSWERED,
                                            limit=PAGE_THREADS),
        ]  # fmt: skip
        threads.sort(key=lambda t: -t.seq)
        answered = []
        for thread in threads[:PAGE_THREADS]:
            item = _readable(thread, await self._store.list_messages(thread.id))
            if thread.body and item.answers:
                answered.append(item)
        return RoomPage(room, await self._store.room_faq(room.key), answered)

    async def thread_page(self, room_key: str, thread_id: str) -> tuple[Room, Answered] | None:
        """A published question of the room and its readable answers (maybe none)."""
        room = await self._store.get_room(room_key)
        thread = await self._store.get_thread(thread_id)
        if room is None or thread is None or thread.room != room.key or thread.held:
            return None
        if thread.status is ThreadStatus.HIDDEN or not thread.body:
            return None
        return room, _readable(thread, await self._store.list_messages(thread.id))

    async def sitemap(self) -> list[tuple[str, list[str]]]:
        """(room, answered thread ids) for every room with something answered."""
        found: list[tuple[str, list[str]]] = []
        budget = SITEMAP_URLS
        for room_key in await self._store.answered_rooms(SITEMAP_URLS):
            page = await self.room_page(room_key)
            if page is None or budget <= 0:
                continue
            ids = [a.thread.id for a in page.answered][: budget - 1]
            found.append((room_key, ids))
            budget -= 1 + len(ids)
        return found

    async def _audit(self, staff: Staff, thread_id: str, action: str, detail: str) -> None:
        case = await self._store.get_case_for_thread(thread_id)
        await self._store.add_audit(
            AuditEntry(new_id(), case.id if case else None, staff.id, staff.name, "staff",
                       action, detail, utcnow())
        )  # fmt: skip

    # the FAQ -----------------------------------------------------------------------------
    async def promote(self, staff: Staff, thread_id: str, data: Any) -> tuple[FaqEntry, bool]:
        """Make (or edit) the thread's FAQ entry; (entry, created)."""
        cmd = p.parse(p.FaqIn, {} if data is None else data)
        thread = await self._store.get_thread(thread_id)
        if thread is None or thread.held or thread.status is ThreadStatus.HIDDEN:
            raise NotFound("no such question")
        answered = thread.status is ThreadStatus.RESOLVED or thread.accepted_message_id
        if not answered or not thread.body:
            raise Conflict("only a resolved question can join the FAQ")
        answer = _answer_of(thread, await self._store.list_messages(thread.id))
        if answer is None and cmd.answer is None:
            raise Conflict("this question has no answer to put in the FAQ")
        question = clean_body(cmd.question or thread.body, limit=QUESTION_MAX)
        text = clean_body(cmd.answer or (answer.body if answer else ""), limit=self._max_body)
        now = utcnow()
        existing = await self._store.faq_for_thread(thread.id)
        entry = FaqEntry(thread.room, question, text, thread.id,
                         detect_language(f"{question} {text}"), staff.id,
                         existing.created_at if existing else now, now,
                         existing.id if existing else new_id())  # fmt: skip
        async with self._store.atomic():
            await self._store.save_faq(entry, search_terms(f"{question} {text}"))
            await self._audit(staff, thread.id, "faq_edit" if existing else "faq_promote",
                              f"FAQ: {question[:120]}")  # fmt: skip
        self._faq_edits[entry.room] = self._faq_edits.get(entry.room, 0) + 1
        if self._semantic is not None:
            self._semantic.changed("faq", entry.id)
        return entry, existing is None

    async def remove(self, staff: Staff, faq_id: str) -> None:
        async with self._store.atomic():
            entry = await self._store.delete_faq(faq_id)
            if entry is None:
                raise NotFound("no such FAQ entry")
            await self._audit(staff, entry.thread_id, "faq_remove", f"FAQ: {entry.question[:120]}")
        self._faq_edits[entry.room] = self._faq_edits.get(entry.room, 0) + 1

    async def thread_faq(self, thread_id: str) -> dict[str, Any] | None:
        entry = await self._store.faq_for_thread(thread_id)
        return None if entry is None else faq_view(entry)

    async def room_faq(self, room: str) -> list[dict[str, Any]]:
        return [faq_view(e) for e in await self._store.room_faq(room)]

    # look-alikes -------------------------------------------------------------------------
    async def _by_meaning(self, room: str, draft: str, limit: int, floor: float) -> Matches | None:
        """The room's answered questions and FAQ entries nearest to `draft` in meaning with a
        score of at least `floor` (published ones only), best first, at most `limit` of each;
        None when semantic search cannot answer now."""
        if self._semantic is None:
            return None
        found = await self._semantic.nearest(room, draft[: self._max_body], limit * 4)
        if found is None:
            return None
        passed = [(ref.partition(":"), sim) for ref, sim in found if sim >= floor]
        stored = {
            t.id: t
            for t in await self._store.get_threads(
                [item_id for (kind, _, item_id), _ in passed if kind == "thread"]
            )
        }  # one read
        threads: list[tuple[Thread, float]] = []
        faq: list[tuple[FaqEntry, float]] = []
        for (kind, _, item_id), sim in passed:
            if kind == "faq" and len(faq) < limit:
                entry = await self._store.get_faq(item_id)  # an FAQ holds a few dozen
                if entry is not None and entry.room == room:
                    faq.append((entry, sim))
            elif kind == "thread" and len(threads) < limit:
                thread = stored.get(item_id)
                if thread is not None and _published_answered(thread, room):
                    threads.append((thread, sim))
        return threads, faq

    async def _by_words(self, room: str, draft: str, limit: int) -> Matches:
        """The same as `_by_meaning`, by shared stems (scores: the share of the draft's)."""
        terms = search_terms(draft[: self._max_body])
        wanted = set(terms)
        threads = [
            (t, score(wanted, t.body))
            for t in await self._store.search_answered(room, terms, limit)
            if t.body
        ]
        faq = [(e, score(wanted, f"{e.question} {e.answer}"))
               for e in await self._store.search_faq(room, terms, limit)]  # fmt: skip
        return threads, faq

    async def _matches(self, room: str, draft: str, limit: int, floor: float
                       ) -> tuple[Matches, str]:  # fmt: skip
        """By meaning when semantic search answers with something, else by words."""
        meant = await self._by_meaning(room, draft, limit, floor)
        if meant is not None and (meant[0] or meant[1]):
            return meant, "semantic"
        return await self._by_words(room, draft, limit), "lexical"

    async def similar(self, room: str, draft: str, limit: int) -> dict[str, Any]:
        """Answered questions and FAQ entries of the room that look like a draft, each with
        its language and score, best first (`match` says by meaning or by words)."""
        (threads, faq), match = await self._matches(room, draft, limit, SHOWN_FLOOR)
        return {
            "threads": [{**thread_view(t), "lang": detect_language(t.body), "score": sim}
                        for t, sim in threads],
            "faq": [{**faq_view(e), "score": sim} for e, sim in faq],
            "match": match,
        }  # fmt: skip

    async def self_served(self, room_key: str, data: Any) -> None:
        """A shopper marked an instant answer as answering their question: one question
        they did not need to ask (insights count it as `self_served`)."""
        cmd = p.parse(p.SelfServed, data)
        room = await self._store.get_room(room_key)
        if room is None:
            raise NotFound("no such product")
        if cmd.faq_id is not None:
            entry = await self._store.get_faq(cmd.faq_id)
            if entry is None or entry.room != room.key:
                raise NotFound("no such FAQ entry in this product")
            ref = f"faq:{entry.id}"
        else:
            assert cmd.thread_id is not None
            thread = await self._store.get_thread(cmd.thread_id)
            answered = thread is not None and thread.status in (
                ThreadStatus.ANSWERED,
                ThreadStatus.RESOLVED,
            )
            if not answered or thread is None or thread.room != room.key or thread.held:
                raise NotFound("no such answered question in this product")
            ref = f"thread:{thread.id}"
        now = utcnow()
        await self._store.add_self_served(room.key, room.category,
                                          now.astimezone(self._tz).date().isoformat(), ref,
                                          now)  # fmt: skip

    async def suggestions(self, thread: Thread) -> list[dict[str, Any]]:
        """For staff answering `thread`: the best matching FAQ entries and accepted answers
        of the room (never the thread itself), at most SUGGESTIONS."""
        (threads, faq), _ = await self._matches(thread.room, thread.body, SUGGESTIONS * 2,
                                                SUGGESTED_FLOOR)  # fmt: skip
        found: list[dict[str, Any]] = [
            {"kind": "faq", "id": e.id, "question": e.question, "text": e.answer,
             "lang": e.lang, "score": sim}
            for e, sim in faq if e.thread_id != thread.id
        ]  # fmt: skip
        for other, sim in threads:
            answer = await self._accepted(other, thread)
            if answer is not None:
                found.append({"kind": "answer", "id": answer.id, "question": other.body,
                              "text": answer.body, "lang": detect_language(answer.body),
                              "score": sim})  # fmt: skip
        found.sort(key=lambda s: -s["score"])
        return found[:SUGGESTIONS]

    async def _accepted(self, other: Thread, thread: Thread) -> Message | None:
        """`other`'s accepted answer, if it can be suggested for `thread`."""
        if other.id == thread.id or not other.accepted_message_id:
            return None
        answer = await self._store.get_message(other.accepted_message_id)
        return None if answer is None or answer.hidden or not answer.body else answer


def _published_answered(thread: Thread, room: str) -> bool:
    return (thread.room == room and thread.status in (ThreadStatus.ANSWERED,
            ThreadStatus.RESOLVED) and not thread.held and bool(thread.body))  # fmt: skip
