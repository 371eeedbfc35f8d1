"""Brand insights: the asker's rating, the facts kept per question, the KPIs, topics and
weak signals staff read, and the weekly digest.

Facts are refreshed from the question as stored whenever the dispatcher hears of a change to
it (its room events, its case, its moderation, its rating), never on a request's path and
never on the dispatcher's: a background refresher takes every question touched since its
last pass (one write per pass, passes at least REFRESH_GAP apart), so a busy minute's
broadcasts do not queue behind it;
`rebuild` recomputes every question's facts with the same function. A crash between a
commit and its dispatch can leave one question's facts behind until its next change or a
rebuild (`entraide rebuild-insights`); outbox items (cases, ratings, moderation) are
delivered again at the next start.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
from collections.abc import Iterable
from datetime import date, timedelta, tzinfo
from typing import Any

from cachetools import TTLCache

from app.domain.errors import Conflict, Forbidden, Invalid, NotFound
from app.domain.models import EventType, Visitor, utcnow
from app.services import payloads as p
from app.services.bus import (
    BatchDelivered,
    CaseChanged,
    ContentModerated,
    EventBus,
    PrivateMessage,
    RoomChanged,
    ThreadRated,
)
from app.services.gate import Gate
from app.services.outbox import outbox_item
from app.store.port import InsightsUnit
from insights import kpis, topics
from insights.facts import Rating, answers_it, facts_for

log = logging.getLogger(__name__)

REBUILD_PAGE = 500
# Seconds between the starts of two facts passes: under load each pass takes the questions of
# many batches (four reads and one write for all of them) instead of one pass per batch.
REFRESH_GAP = 0.1
ROOMS_CACHED = 10_000
ROOM_TTL = 300.0  # seconds a room's title may lag in a report
TOP_TERMS = 60  # (room, term) pairs looked at for topics


class InsightsService:
    def __init__(
        self,
        store: InsightsUnit,
        gate: Gate,
        bus: EventBus,
        tz: tzinfo,
        cost_per_contact: float | None = None,
    ) -> None:
        self._store = store
        self._gate = gate
        self._bus = bus
        self.tz = tz
        self.cost_per_contact = cost_per_contact
        self._pending: set[str] = set()  # questions changed, facts not refreshed yet
        self._refresher: asyncio.Task[None] | None = None
        self._rooms: TTLCache[str, tuple[str, str, str]] = TTLCache(ROOMS_CACHED, ROOM_TTL)

    def subscribe(self) -> None:
        self._bus.subscribe(RoomChanged.name, self._on_room_changed)
        self._bus.subscribe(CaseChanged.name, self._on_thread_event)
        self._bus.subscribe(PrivateMessage.name, self._on_thread_event)
        self._bus.subscribe(ThreadRated.name, self._on_thread_event)
        self._bus.subscribe(ContentModerated.name, self._on_moderated)
        self._bus.subscribe(BatchDelivered.name, self._on_batch_delivered)

    # the asker's rating ------------------------------------------------------------------
    async def rate(self, visitor: Visitor | None, data: Any) -> Rating:
        """The asker rates their answered question; rating again replaces the rating."""
        visitor = await self._gate.admit(visitor)
        cmd = p.parse(p.Rate, data)
        thread = await self._store.get_thread(cmd.thread_id)
        if thread is None or thread.held:
            raise NotFound("no such question")
        if thread.author_id != visitor.id:
            raise Forbidden("only the person who asked can rate the answers")
        if not any(answers_it(m) for m in await self._store.list_messages(thread.id)):
            raise Conflict("this question has no answer to rate yet")
        rating = Rating(thread.id, visitor.id, cmd.helpful, cmd.would_have_contacted, utcnow())
        async with self._store.atomic() as unit:
            await self._store.save_rating(rating)
            unit.publish(outbox_item(ThreadRated(thread)))
        return rating

    # facts -------------------------------------------------------------------------------
    async def _on_room_changed(self, change: RoomChanged) -> None:
        """Skip what cannot move a question's facts: votes and other message updates (hiding
        comes as ContentModerated)."""
        if change.event.type is not EventType.MESSAGE_UPDATED:
            self._pending.add(change.thread.id)

    async def _on_thread_event(self, event: CaseChanged | PrivateMessage | ThreadRated) -> None:
        self._pending.add(event.thread.id)

    async def _on_moderated(self, change: ContentModerated) -> None:
        if change.thread is not None:
            self._pending.add(change.thread.id)
        elif change.message is not None:
            self._pending.add(change.message.thread_id)

    async def _on_batch_delivered(self, _: BatchDelivered) -> None:
        """Start the refresher for the batch's questions, without waiting for it."""
        if self._pending and self._refresher is None:
            self._refresher = asyncio.create_task(self._refresh_pending())

    async def _refresh_pending(self) -> None:
        """Refresh until nothing is pending: one pass (one write) for everything touched
        while the previous pass ran, passes at least REFRESH_GAP apart."""
        loop = asyncio.get_running_loop()
        started = -REFRESH_GAP
        try:
            while self._pending:
                wait = started + REFRESH_GAP - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)  # pacing the passes, not waiting for an event
                started = loop.time()
                ids, self._pending = sorted(self._pending), set()
                try:
                    await self.refresh(ids)
                except Exception:  # facts catch up at the question's next change or a rebuild
                    log.exception("could not refresh the facts of %d questions", len(ids))
        finally:
            self._refresher = None

    async def settled(self) -> None:
        """Wait until every delivered change is in the facts (tests, shutdown)."""
        while self._refresher is not None:
            await asyncio.shield(self._refresher)

    async def refresh(self, thread_ids: Iterable[str]) -> None:
        """Recompute and store the facts of these questions from what is stored now: four
        reads and one write whatever the number of questions (a busy room's batch touches
        many)."""
        threads = await self._store.get_threads(list(dict.fromkeys(thread_ids)))
        ids = [thread.id for thread in threads]
        messages = await self._store.messages_of(ids)
        cases = await self._store.cases_of(ids)
        ratings = await self._store.ratings_of(ids)
        await self._store.save_thread_facts(
            [
                facts_for(t, messages[t.id], cases.get(t.id), ratings.get(t.id), self.tz)
                for t in threads
            ]
        )

    async def rebuild(self) -> int:
        """Every question's facts again, from the source; returns how many."""
        after, done = "", 0
        while ids := await self._store.thread_ids_after(after, REBUILD_PAGE):
            await self.refresh(ids)
            done += len(ids)
            after = ids[-1]
        return done

    # reading -----------------------------------------------------------------------------
    def today(self) -> date:
        return utcnow().astimezone(self.tz).date()

    def query(self, start: str | None, end: str | None, room: str | None,
              category: str | None) -> kpis.Query:  # fmt: skip
        return kpis.parse_query(start, end, room, category, self.today())

    async def report(self, query: kpis.Query) -> dict[str, Any]:
        """Topics are computed meanwhile on the store's second reader connection: the two
        halves run side by side, and staff analytics never queue in front of shoppers'
        reads."""
        aside = asyncio.create_task(self._topics_aside(query))
        try:
            rows = await self._counts(query)
            rooms = {}
            for key in sorted({r.room for r in rows}):
                title, category, _ = await self._room(key)
                rooms[key] = (title, category)
            doc = kpis.report(
                query, rows, await self._store.first_answer_histogram(query), rooms,
                self.cost_per_contact,
            )  # fmt: skip
            window, doc["topics"] = await aside
            doc["topics_from"] = window.start.isoformat()
        finally:
            aside.cancel()
        return doc

    async def _counts(self, query: kpis.Query) -> list[kpis.DayRoomCounts]:
        """The questions' counts, and the questions not asked (instant answers)."""
        rows = await self._store.insight_counts(query)
        return rows + [kpis.DayRoomCounts(day, room, kpis.Counts(self_served=n))
                       for day, room, n in await self._store.self_served_counts(query)]  # fmt: skip

    async def _topics_aside(self, query: kpis.Query) -> tuple[kpis.Query, list[dict[str, Any]]]:
        with self._store.after_commit_reads():
            return await self._topics(query)

    async def _room(self, key: str) -> tuple[str, str, str]:
        """(title, category, product page) of a room, cached: a report names up to every
        room of the shop, and rooms change rarely (ROOM_TTL)."""
        if key not in self._rooms:
            room = await self._store.get_room(key)
            self._rooms[key] = (room.title, room.category, room.url) if room else (key, "", "")
        return self._rooms[key]

    async def _topics(self, query: kpis.Query) -> tuple[kpis.Query, list[dict[str, Any]]]:
        """The topics of the period's latest days (`topics.window`), and those days."""
        window = topics.window(query, await self._store.nth_latest_day(query, topics.LATEST))
        top = await self._store.top_terms(window, TOP_TERMS)
        pairs = [(room, term) for room, term, _ in top]
        found = topics.room_topics(await self._store.term_questions(window, pairs))
        before = await self._store.term_questions(
            window.previous(), [(tp.room, tp.terms[0]) for tp in found]
        )
        previous = {(t.room, t.term): len(t.thread_ids) for t in before}
        bodies: dict[str, list[str]] = {}
        pages: dict[str, str] = {}  # room -> its product page
        for tp in found:
            tp.previous = previous.get((tp.room, tp.terms[0]), 0)
            if tp.room not in pages:
                pages[tp.room] = (await self._room(tp.room))[2]
            shown = sorted(tp.thread_ids, reverse=True)[: topics.EXAMPLES]
            for thread in await self._store.get_threads(shown):
                tp.examples.append({"thread_id": thread.id, "room": thread.room,
                                    "body": thread.body[:280], "url": pages[tp.room]})  # fmt: skip
                bodies.setdefault(tp.terms[0], []).append(thread.body)
        labels = {
            tp.terms[0]: topics.label_for(tp.terms, bodies.get(tp.terms[0], [])) for tp in found
        }
        return window, topics.merge_across_rooms(found, labels, window.days)

    async def csv(self, query: kpis.Query) -> str:
        """The days of the report as CSV: UTF-8 with a BOM and `;` (French spreadsheets)."""
        doc = kpis.report(query, await self._counts(query), [], {}, self.cost_per_contact)
        out = io.StringIO()
        out.write("\ufeff")
        csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(kpis.csv_rows(doc))
        return out.getvalue()

    def week_query(self, week: str | None) -> kpis.Query:
        """An ISO week (YYYY-Www), by default the last complete one, as a Query."""
        if week is None:
            monday = self.today() - timedelta(days=self.today().weekday() + 7)
        else:
            try:
                year, number = week.split("-W")
                monday = date.fromisocalendar(int(year), int(number), 1)
            except ValueError:
                raise Invalid("week is written YYYY-Www, e.g. 2026-W48") from None
        return kpis.Query(monday, monday + timedelta(days=6))
