"""Rewards use cases: turn what happens in rooms into ledger entries, keep boards current,
answer "how were my points computed" and "where do I stand", and staff actions (bonus,
endorsement, disqualify, reinstate).

The rules are pure (`rewards/`); this service gathers the history each rule needs from the
store, appends the entries (idempotent ids), records revocations, updates the leaderboards
and announces promotions and new badges. It listens on the bus, so the chat's code never
calls it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Literal

from cachetools import TTLCache

import rewards as rw
from app.domain.errors import Conflict, NotFound
from app.domain.models import Message, MessageKind, Thread, Visibility, new_id, utcnow
from app.domain.staff import Staff
from app.services.bus import (
    AnswerAccepted,
    AnswerPosted,
    BatchDelivered,
    ContentModerated,
    EventBus,
    Recognised,
    RoomChanged,
    VoteCast,
)
from app.services.leaderboards import Leaderboards
from app.store.port import AwardsStore
from rewards.leaderboard import BoardRow
from rewards.ledger import LedgerEntry, Outcome, Revocation
from rewards.rules import RevokeReason

log = logging.getLogger(__name__)
# Seconds a rank or badges shown next to a name may lag behind in another process (this
# process drops its own entries at once when it changes someone's points).
SHOWN_TTL = 30.0
RANK_CACHE_MAX = 100_000
STATS_CACHE_MAX = 10_000


class RewardsService:
    def __init__(
        self,
        store: AwardsStore,
        bus: EventBus,
        boards: Leaderboards,
        rules: rw.PointsRules = rw.DEFAULT_RULES,
    ) -> None:
        self._store = store
        self._bus = bus
        self.boards = boards
        self.rules = rules
        # Hot-path caches (per process): ranks shown next to names change slowly, and
        # a visitor who has taken part never needs their deferred votes released again.
        self._ranks: TTLCache[str, str] = TTLCache(RANK_CACHE_MAX, SHOWN_TTL)
        self._stats: TTLCache[str, rw.ContributorStats] = TTLCache(STATS_CACHE_MAX, SHOWN_TTL)
        self._taken_part: set[str] = set()
        self._asked: list[tuple[str, datetime]] = []  # new questions of the batch delivering

    def subscribe(self) -> None:
        self._bus.subscribe(AnswerPosted.name, self.on_answer)
        self._bus.subscribe(VoteCast.name, self.on_vote)
        self._bus.subscribe(AnswerAccepted.name, self.on_accept)
        self._bus.subscribe(ContentModerated.name, self.on_moderated)
        self._bus.subscribe(RoomChanged.name, self.on_room_changed)
        self._bus.subscribe(BatchDelivered.name, self.on_batch_delivered)

    # history and persistence -------------------------------------------------------------
    async def _history(
        self, *, persons: Sequence[str] = (), givers: Sequence[str] = (),
        refs: Sequence[str] = (), window: timedelta | None = None,
    ) -> list[LedgerEntry]:  # fmt: skip
        """Entries of `persons` and `givers` over `window` (default: the longest window a
        rule looks at), and every entry about `refs`."""
        since = utcnow() - (window or self.rules.history_window)
        found: dict[str, LedgerEntry] = {}
        for person in persons:
            for e in await self._store.ledger_entries(person=person, since=since):
                found[e.id] = e
        for giver in givers:
            for e in await self._store.ledger_entries(giver_person=giver, since=since):
                found[e.id] = e
        if refs:
            for e in await self._store.ledger_entries(ref_ids=list(refs)):
                found[e.id] = e
        return sorted(found.values(), key=lambda e: (e.created_at, e.id))

    async def _append(self, awards: Sequence[rw.Award]) -> list[LedgerEntry]:
        entries = [a.entry for a in awards if a.entry is not None]
        if not entries:
            return []
        visitors = sorted({e.visitor_id for e in entries})
        before = await self._stats_before(visitors)
        stored = await self._store.add_ledger_entries(entries)
        if not stored:
            return []
        for visitor_id in visitors:
            self._ranks.pop(visitor_id, None)
        await self.boards.record(stored)
        after = await self._store.contributor_stats(visitors)
        self._stats.update(after)
        await self._announce(visitors, before, after)
        return stored

    async def _append_for_event(self, awards: Sequence[rw.Award]) -> None:
        """Append what events earned, each scored with its author's ban as it was then. An
        author banned since (a ban committed before this delivery: its revocation may already
        have run, in this process or another) has the new entries revoked at once for that
        ban, so that lifting it gives them back with the rest."""
        stored = await self._append(awards)
        now = utcnow()
        for author_id in sorted({e.visitor_id for e in stored}):
            author = await self._store.get_visitor(author_id)
            if author is None or author.banned_until is None or author.banned_until <= now:
                continue
            records = rw.revoke(stored, at=now, reason=RevokeReason.AUTHOR_BANNED,
                                visitor_id=author_id)  # fmt: skip
            await self._revoke(stored, records)

    async def _stats_before(self, visitors: Sequence[str]) -> dict[str, rw.ContributorStats]:
        """Stats before an award: the ones read after this process's last award to them
        (a top contributor's stats are the costliest read of an award) while their points
        show no award from elsewhere since, else read now."""
        cached = {v: self._stats[v] for v in visitors if v in self._stats}
        if cached:
            totals = await self._store.points_totals(list(cached))
            cached = {v: s for v, s in cached.items() if s.points == totals[v]}
        missing = [v for v in visitors if v not in cached]
        return cached | (await self._store.contributor_stats(missing) if missing else {})

    async def _announce(
        self,
        visitors: Sequence[str],
        before: dict[str, rw.ContributorStats],
        after: dict[str, rw.ContributorStats],
    ) -> None:
        """Tell contributors about a new rank and new badges, in both languages."""
        for visitor_id in visitors:
            was, now = before[visitor_id], after[visitor_id]
            promoted = rw.rank_change(was.points, now.points)
            if promoted is not None:
                await self._bus.publish(
                    Recognised(
                        visitor_id, "rank", promoted.code,
                        rw.rank_notice(promoted, "fr"), rw.rank_notice(promoted, "en"),
                    )
                )  # fmt: skip
            for badge in rw.new_badges(was, now):
                await self._bus.publish(
                    Recognised(
                        visitor_id, "badge", badge.code,
                        rw.badge_notice(badge, "fr"), rw.badge_notice(badge, "en"),
                    )
                )  # fmt: skip

    async def _actor(self, visitor_id: str) -> rw.Actor:
        visitor = await self._store.get_visitor(visitor_id)
        if visitor is None:
            return rw.Actor(visitor_id)
        return rw.Actor(visitor_id, visitor.shopper_id, visitor.network_key)

    async def _answer(
        self, message: Message, thread: Thread, banned: datetime | Literal["stored"] | None
    ) -> rw.AnswerRef | None:
        """The answer as the rules see it, with its author's ban as `banned`: as it was when
        the event or the vote was committed (listeners, released votes; None for an answer,
        which a banned visitor cannot post), or as stored now ("stored": an endorsement).
        Events are delivered after the commits before them, so a ban committed after the
        event is applied after it (`_append_for_event`)."""
        if message.kind is not MessageKind.ANSWER or message.visibility is not Visibility.PUBLIC:
            return None
        author = await self._store.get_visitor(message.author_id)
        asker = await self._actor(thread.author_id)
        if banned == "stored":
            banned = author.banned_until if author else None
        return rw.answer_ref(
            message, thread, category=thread.category or None,
            author_shopper_id=author.shopper_id if author else None,
            author_network=author.network_key if author else None,
            author_banned_until=banned,
            asker_shopper_id=asker.shopper_id, asker_network=asker.network,
        )  # fmt: skip

    def _givers(self, giver: rw.Actor) -> list[str]:
        """Ledger keys a giver's history is read under: their network's (unverified), and
        their own (entries from before networks were recorded)."""
        return list(dict.fromkeys([giver.giver_person, giver.person]))

    # listeners ---------------------------------------------------------------------------
    async def on_answer(self, posted: AnswerPosted) -> None:
        answer = await self._answer(posted.message, posted.thread, None)
        if answer is None:
            return
        # An answer's points look back one day (the daily maximum), not the 30 days of
        # repeated thanks: a top contributor's month is not read at every answer.
        history = await self._history(
            persons=[answer.author.person], refs=[answer.message_id], window=self.rules.cap_window
        )
        awards = [rw.points_for_answer(answer, history=history, rules=self.rules)]
        if posted.thread.answer_count == 1:
            thread_history = await self._store.ledger_entries(ref_ids=[answer.message_id])
            awards.append(
                rw.points_for_fast_first_answer(
                    answer, first_answer=True, history=thread_history, rules=self.rules
                )
            )
        await self._append_for_event(awards)
        await self._first_participation(posted.message.author_id, posted.message.created_at)

    async def on_room_changed(self, change: RoomChanged) -> None:
        """A new question's author is looked at once its batch is delivered: a store read
        here would come between the batch's room broadcasts, which the socket layer writes
        together when nothing waits in between (app/realtime/broadcast.py)."""
        if change.event.type == "thread.created":
            self._asked.append((change.thread.author_id, change.thread.created_at))

    async def on_batch_delivered(self, _: BatchDelivered) -> None:
        asked, self._asked = self._asked, []
        for visitor_id, at in asked:
            await self._first_participation(visitor_id, at)

    async def _first_participation(self, visitor_id: str, at: datetime) -> None:
        """If the participation posted `at` is the one that makes the visitor take part (the
        rules' minimum), the helpful votes they cast before it start to count, each scored
        with its author's ban as it was when cast. Decided from what is stored, whatever was
        delivered before: a later post already stored, a ban or an unban since, or a restart
        neither skips the release nor counts a vote the rules would refuse."""
        if visitor_id in self._taken_part:
            return
        need = self.rules.new_visitor_min_participations
        times = await self._store.participation_times(visitor_id, need) if need > 0 else []
        if len(times) < need or (times and at < times[-1]):
            return  # not a participant yet, or a post that does not count (held, hidden)
        self._taken_part.add(visitor_id)
        if not times or at != times[-1]:
            return  # never deferred, or released at the post that made them take part
        became = times[-1]
        answers = []
        for vote in await self._store.votes_by(visitor_id):
            if vote.value != 1 or vote.at > became:
                continue
            message = await self._store.get_message(vote.message_id)
            thread = await self._store.get_thread(message.thread_id) if message else None
            if message is None or thread is None or message.hidden:
                continue
            ref = await self._answer(message, thread, vote.author_banned_until)
            if ref is not None:
                answers.append((ref, vote.at))
        if not answers:
            return
        voter = await self._actor(visitor_id)
        history = await self._history(
            givers=self._givers(voter), refs=[a.message_id for a, _ in answers]
        )
        awards = rw.release_deferred_votes(
            answers, voter, at=utcnow(), voter_participations=len(times), history=history,
            rules=self.rules,
        )  # fmt: skip
        await self._append_for_event(awards)

    async def on_vote(self, cast: VoteCast) -> None:
        answer = await self._answer(cast.message, cast.thread, cast.author_banned_until)
        if answer is None:
            return
        voter = await self._actor(cast.voter_id)
        if cast.value == 0:
            entries = await self._store.ledger_entries(ref_ids=[answer.message_id])
            records = rw.revoke(
                entries, at=utcnow(), reason=RevokeReason.VOTE_WITHDRAWN,
                ref_id=answer.message_id, giver_id=cast.voter_id,
                reasons=[rw.Reason.HELPFUL_VOTE],
            )  # fmt: skip
            await self._revoke(entries, records)
            return
        history = await self._history(givers=self._givers(voter), refs=[answer.message_id])
        award = rw.points_for_vote(
            answer, voter, at=utcnow(),
            voter_participations=await self._store.participations(cast.voter_id),
            history=history, rules=self.rules,
        )  # fmt: skip
        await self._append_for_event([award])

    async def on_accept(self, accepted: AnswerAccepted) -> None:
        answer = await self._answer(accepted.message, accepted.thread, accepted.author_banned_until)
        if answer is None:
            return
        accepter = await self._actor(accepted.accepter_id)
        history = await self._history(givers=self._givers(accepter), refs=[answer.message_id])
        award = rw.points_for_accept(answer, accepter, at=utcnow(), history=history,
                                     rules=self.rules)  # fmt: skip
        await self._append_for_event([award])

    async def on_moderated(self, change: ContentModerated) -> None:
        """Hidden content and banned authors lose the points they earned (restored after)."""
        now = utcnow()
        act = rw.restore if change.action in ("restore", "unban") else rw.revoke
        if change.message is not None:
            entries = await self._store.ledger_entries(ref_ids=[change.message.id])
            records = act(entries, at=now, reason=RevokeReason.CONTENT_HIDDEN,
                          ref_id=change.message.id, by=change.staff_id)  # fmt: skip
        elif change.thread is not None:  # a question taken down: its answers' points too
            messages = await self._store.list_messages(change.thread.id)
            refs = [change.thread.id, *(m.id for m in messages)]
            entries = await self._store.ledger_entries(ref_ids=refs)
            reason = RevokeReason.CONTENT_HIDDEN
            records = [
                record
                for ref in refs
                for record in act(entries, at=now, reason=reason, ref_id=ref, by=change.staff_id)
            ]
        elif change.visitor_id is not None:
            entries = await self._store.ledger_entries(visitor_id=change.visitor_id)
            records = act(entries, at=now, reason=RevokeReason.AUTHOR_BANNED,
                          visitor_id=change.visitor_id, by=change.staff_id)  # fmt: skip
        else:
            return
        await self._revoke(entries, records)

    async def _revoke(self, entries: Sequence[LedgerEntry], records: Sequence[Revocation]) -> None:
        """Append the records, then fix the boards of the visitors whose entries changed."""
        if not records:
            return
        await self._store.add_revocations(records)
        changed = {r.entry_id for r in records}
        touched = [e for e in entries if e.id in changed]
        self.forget({e.visitor_id for e in touched})
        await self.boards.recompute(touched)

    # staff and visitor reads -------------------------------------------------------------
    async def award_bonus(
        self, staff: Staff, visitor_id: str, points: int, note: str
    ) -> LedgerEntry:
        if await self._store.get_visitor(visitor_id) is None:
            raise NotFound("no such visitor")
        entry = rw.bonus(
            rw.Actor(visitor_id), points, staff_id=staff.id, note=note, at=utcnow(),
            bonus_id=new_id(), rules=self.rules,
        )  # fmt: skip
        await self._append([rw.Award(Outcome.AWARDED, entry)])
        return entry

    async def set_disqualified(self, staff: Staff, visitor_id: str, flag: bool) -> None:
        if await self._store.get_visitor(visitor_id) is None:
            raise NotFound("no such visitor")
        await self._store.set_disqualified(visitor_id, flag)

    async def explain(self, visitor_id: str, lang: str) -> dict[str, object]:
        entries = await self._store.ledger_entries(visitor_id=visitor_id)
        return rw.explain(entries, self.rules, "fr" if lang == "fr" else "en",
                          visitor_id=visitor_id).as_json()  # fmt: skip

    def forget(self, visitor_ids: Iterable[str]) -> None:
        """Drop what this process caches about these visitors (ranks, stats)."""
        for visitor_id in visitor_ids:
            self._ranks.pop(visitor_id, None)
            self._stats.pop(visitor_id, None)

    async def ranks(self, visitor_ids: Sequence[str]) -> dict[str, str]:
        """Rank codes for names on screen (cached, see SHOWN_TTL)."""
        found = {v: self._ranks[v] for v in visitor_ids if v in self._ranks}
        missing = [v for v in visitor_ids if v not in found]
        if missing:
            totals = await self._store.points_totals(missing)
            for v in missing:
                found[v] = self._ranks[v] = rw.rank_for(totals.get(v, 0)).code
        return found

    async def shown_stats(self, visitor_ids: Sequence[str]) -> dict[str, rw.ContributorStats]:
        """All-time stats behind the titles and badges on a public board (cached, see
        SHOWN_TTL): a board's top contributors are the ones with the longest ledgers."""
        found = {v: self._stats[v] for v in visitor_ids if v in self._stats}
        missing = [v for v in visitor_ids if v not in found]
        if missing:
            for v, stats in (await self._store.contributor_stats(missing)).items():
                found[v] = self._stats[v] = stats
        return found

    async def standings(self, visitor_id: str) -> list[dict[str, object]]:
        """Where a contributor stands on the global boards: [{period, position, points}],
        for the periods they have points in ("You are 3rd this week")."""
        now = utcnow()
        found: list[dict[str, object]] = []
        for period in rw.PERIODS:
            standing = await self.boards.position(visitor_id, rw.board_for(period, now))
            if standing is not None:
                position, row = standing
                found.append({"period": period, "position": position, "points": row.points})
        return found

    async def top(self, period: str, *, room: str | None, category: str | None,
                  limit: int = 50) -> list[BoardRow]:  # fmt: skip
        """A room's board is its category's too: a category that is not the room's is an
        empty board, as filtering the ledger on both would give."""
        if room is not None and category is not None:
            found = await self._store.get_room(room)
            if found is None or found.category != category:
                return []
        board = rw.board_for(rw.parse_period(period), utcnow(), room=room, category=category)
        return await self.boards.top(board, limit=limit)

    async def endorse(self, staff: Staff, message_id: str) -> LedgerEntry | None:
        """Brand staff endorse an answer: its author gets the rule's points, once per answer
        whoever endorses it, and the boards and promotions follow as for any entry.

        Only what the crowd can read is endorsed: a question, a staff reply, a private or held
        message, a hidden answer or an unknown id is `NotFound`. Endorsing again is a
        `Conflict`, and so is endorsing while the author is banned: the ban took their points
        back, and lifting it gives back an earlier endorsement, which would then count twice.
        Returns None when a concurrent endorsement of this answer was stored first.
        """
        message = await self._store.get_message(message_id)
        thread = await self._store.get_thread(message.thread_id) if message else None
        answer = await self._answer(message, thread, "stored") if message and thread else None
        if answer is None or message is None or message.hidden:
            raise NotFound("no such public answer")
        if answer.author_banned_at(utcnow()):
            raise Conflict("the author is banned: lift the ban before endorsing their answer")
        history = await self._store.ledger_entries(ref_ids=[message_id])
        award = rw.points_for_endorsement(
            answer, staff.id, at=utcnow(), history=history, rules=self.rules
        )
        if award.outcome is Outcome.DUPLICATE:
            raise Conflict("already endorsed")
        stored = await self._append([award])
        return stored[0] if stored else None
