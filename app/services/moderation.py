"""Moderation use cases on the chat's path: screen what visitors write, open or raise cases,
take reports, and run the unanswered-SLA ladder and claim deadlines (the sweeper's tick).

Detection itself is pure (`moderation/`); this module reads the context it needs from the
store and persists cases with their audit trail inside the caller's write (`store.atomic()`),
with a `CaseChanged` outbox item that reaches every console after commit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import moderation as mod
from app.domain import lifecycle
from app.domain.errors import Conflict, NotFound, Stale
from app.domain.models import Thread, ThreadStatus, Visitor, new_id, utcnow
from app.services import payloads as p
from app.services.bus import CaseChanged, EnthusiastsNudged
from app.services.gate import Gate
from app.services.outbox import outbox_item
from app.store.port import ModerationUnit
from moderation.cases import AuditEntry, Case, needs_review, release_overdue_claim

log = logging.getLogger(__name__)
NEW_VISITOR_FOR = timedelta(days=1)
NEW_VISITOR_POSTS = 3
# Reasons that put the thread itself in the staff queue (status "escalated").
ESCALATING = frozenset({"unanswered", "frustration", "out_of_scope", "personal_data"})
SYSTEM = ("system", "Entraide", "system")
MODEL_CHECK_EVERY = 60.0  # seconds between looks for a newly retrained detector model


class ModerationService:
    def __init__(
        self,
        store: ModerationUnit,
        gate: Gate,
        thresholds: mod.CategoryThresholds,
        *,
        respond_within: timedelta,
    ) -> None:
        self._store = store
        self._gate = gate
        self.thresholds = thresholds
        self._respond_within = respond_within
        # The detectors' learned layer: the shop's retrained model once the worker made
        # one (looked up every MODEL_CHECK_EVERY seconds), else the shipped one.
        self.model: mod.DetectorModel | None = mod.shipped_model()
        self._model_record = ""
        self._model_checked = -MODEL_CHECK_EVERY

    def use_model(self, model: mod.DetectorModel | None) -> None:
        self.model = model

    async def refresh_model(self, force: bool = False) -> None:
        """Pick up a model the worker retrained (in this process or another)."""
        clock = time.monotonic()
        if not force and clock - self._model_checked < MODEL_CHECK_EVERY:
            return
        self._model_checked = clock
        recent = await self._store.detector_models(5)  # without their bodies: cheap
        newest = next((r for r in recent if r.active), None)
        if newest is None or newest.id == self._model_record:
            return
        active = await self._store.active_detector_model()
        if active is None or not active.body:
            return
        try:
            model = await asyncio.to_thread(mod.DetectorModel.from_json, active.body)
        except mod.ModelError:
            log.exception("stored detector model %s is unreadable", active.version)
            return
        self._model_record = active.id
        self.model = model

    # screening ---------------------------------------------------------------------------
    async def screen(
        self,
        visitor: Visitor,
        body: str,
        *,
        category: str,
        lang: str | None,
        thread: Thread | None = None,
    ) -> list[mod.Signal]:
        """Signals for a question (`thread` None) or a message in `thread`."""
        now = utcnow()
        recent = await self._store.recent_by_author(visitor.id, 20)
        from_asker = thread is None or thread.author_id == visitor.id
        bumps = 0
        waiting = None
        if thread is not None and from_asker and thread.answer_count == 0:
            earlier = await self._store.list_messages(thread.id)
            bumps = 1 + sum(1 for m in earlier if m.author_id == visitor.id)
            waiting = now - thread.created_at
        ctx = mod.MessageContext(
            body=body,
            lang_hint=lang,
            category=category,
            from_asker=from_asker,
            author_is_new=(now - visitor.created_at < NEW_VISITOR_FOR)
            and len(recent) < NEW_VISITOR_POSTS,
            author_recent_bodies=tuple(b for b, _ in recent),
            author_recent_times=tuple(t for _, t in recent),
            sent_at=now,
            asker_bump_count=bumps,
            waiting_for=waiting,
        )
        await self.refresh_model()
        # ~0.5 ms median, a few ms for long messages (bench/detectors.py): off the loop.
        return await asyncio.to_thread(mod.detect, ctx, self.thresholds, model=self.model)

    @staticmethod
    def escalates(signals: Sequence[mod.Signal]) -> bool:
        """Whether these signals put the question itself in the staff queue."""
        return any(s.code in ESCALATING for s in signals)

    def schedule(self, thread: Thread) -> None:
        """Set the first SLA check: nudge enthusiasts halfway to the category's SLA."""
        sla = self.thresholds.for_category(thread.category).unanswered_sla
        thread.next_check_at = thread.created_at + sla / 2
        thread.nudged = False

    # cases -------------------------------------------------------------------------------
    async def review(
        self,
        thread: Thread,
        signals: Sequence[mod.Signal],
        *,
        actor: tuple[str, str, str] = SYSTEM,
        detail: str = "",
    ) -> Case | None:
        """Open the thread's case or add these signals to it (never a duplicate case), in
        the caller's unit of work when there is one."""
        if not signals:
            return None
        now = utcnow()
        async with self._store.atomic() as unit:
            case, opened = await self._merge(thread, signals, now)
            if case is None:
                return await self._store.get_case_for_thread(thread.id)  # nothing new to say
            what = detail or "; ".join(s.describe() for s in signals)
            await self.audit(case, actor, "opened" if opened else "signal", what)
            thread = await self._escalate_thread(thread, signals)
            unit.publish(outbox_item(CaseChanged(case=case, thread=thread, opened=opened)))
        return case

    async def _merge(
        self, thread: Thread, signals: Sequence[mod.Signal], now: datetime
    ) -> tuple[Case | None, bool]:
        """(case, opened) after adding `signals`; (None, False) when they add nothing."""
        for _ in range(3):  # optimistic concurrency: re-read and re-apply on conflict
            case = await self._store.get_case_for_thread(thread.id)
            if case is None:
                fresh = self._new_case(thread, signals, now)
                needs_review(fresh, signals, now, self._respond_within)
                stored = await self._store.insert_case(fresh)
                if stored is fresh:
                    return stored, True
                continue  # opened concurrently: merge into that one
            if not needs_review(case, signals, now, self._respond_within):
                return None, False
            try:
                await self._store.update_case(case)
            except Stale:
                continue
            return case, False
        raise Conflict("this case keeps changing; try again")

    def _new_case(self, thread: Thread, signals: Sequence[mod.Signal], now: datetime) -> Case:
        due = now + self._respond_within
        if any(s.code == "unanswered" for s in signals):
            due = now  # already past the community's SLA
        return Case(
            id=new_id(),
            thread_id=thread.id,
            room=thread.room,
            category=thread.category,
            created_at=now,
            updated_at=now,
            due_at=due,
        )

    async def _escalate_thread(self, thread: Thread, signals: Sequence[mod.Signal]) -> Thread:
        """The thread, moved to the staff queue if these signals call for it."""
        if not self.escalates(signals):
            return thread
        for _ in range(3):  # optimistic: re-read if someone changed the thread meanwhile
            if thread.status in (ThreadStatus.ESCALATED, ThreadStatus.STAFF, ThreadStatus.HIDDEN):
                return thread
            try:
                lifecycle.move(thread, ThreadStatus.ESCALATED)
                thread.next_check_at = None
                thread.updated_at = utcnow()
                await self._store.update_thread(thread)
                return thread
            except Stale:
                fresh = await self._store.get_thread_for_update(thread.id)
                if fresh is None:
                    return thread
                thread = fresh
        return thread

    async def audit(
        self, case: Case, actor: tuple[str, str, str], action: str, detail: str
    ) -> None:
        actor_id, actor_name, kind = actor
        await self._store.add_audit(
            AuditEntry(new_id(), case.id, actor_id, actor_name, kind, action, detail, utcnow())
        )

    async def report(self, visitor: Visitor | None, data: Any) -> Case:
        """A visitor reports an answer or a question: the thread's case gets a `report`
        reason, and a report record names the reported author for the contributor review."""
        visitor = await self._gate.admit(visitor, budget="report")
        cmd = p.parse(p.Report, data)
        if cmd.message_id is not None:
            message = await self._store.get_message(cmd.message_id)
            if message is None or message.hidden:
                raise NotFound("no such message")
            thread = await self._store.get_thread(message.thread_id)
            target, author_id, what = message.id, message.author_id, f"message {message.id}"
        else:
            thread = await self._store.get_thread(cmd.thread_id or "")
            target, author_id = "", thread.author_id if thread else ""
            what = f"question {cmd.thread_id}"
        if thread is None or thread.held or thread.status is ThreadStatus.HIDDEN:
            raise NotFound("no such message" if cmd.message_id else "no such question")
        existing = await self._store.get_case_for_thread(thread.id)
        earlier = []
        if existing is not None:
            earlier = [
                (e.actor_id, e.detail)
                for e in await self._store.list_audit(existing.id)
                if e.action == "report"
            ]
        if any(who == visitor.id for who, _ in earlier):
            raise Conflict("you already reported this conversation")
        thresholds = self.thresholds.for_category(thread.category)
        signal = mod.report_signal([why for _, why in earlier] + [cmd.reason], thresholds)
        assert signal is not None
        by = (visitor.id, visitor.name, "visitor")
        async with self._store.atomic():
            case = await self.review(thread, [signal], actor=by, detail=f"reported {what}")
            assert case is not None
            await self.audit(case, by, "report", cmd.reason)
            await self._store.add_report(
                mod.Report(new_id(), target, thread.id, thread.room, visitor.id,
                           author_id, cmd.reason, utcnow(), case.id)
            )  # fmt: skip
        return case

    # sweeper -----------------------------------------------------------------------------
    async def sweep(self, now: datetime | None = None, batch: int = 100) -> int:
        """One tick: SLA ladder for due threads, overdue claims back to the queue."""
        now = now or utcnow()
        handled = 0
        for thread in await self._store.due_threads(now, batch):
            await self._check_unanswered(thread, now)
            handled += 1
        for case in await self._store.due_claims(now, batch):
            claimed_thread = await self._store.get_thread(case.thread_id)
            if claimed_thread is not None and release_overdue_claim(case, now):
                try:
                    async with self._store.atomic() as unit:
                        await self._store.update_case(case)
                        await self.audit(case, SYSTEM, "claim_expired", "no staff reply in time")
                        unit.publish(outbox_item(CaseChanged(case=case, thread=claimed_thread)))
                except Stale:
                    continue  # someone acted on it meanwhile: their change wins
                handled += 1
        return handled

    async def _check_unanswered(self, thread: Thread, now: datetime) -> None:
        sla = self.thresholds.for_category(thread.category).unanswered_sla
        if thread.answer_count > 0 or thread.status is not ThreadStatus.OPEN or thread.held:
            thread.next_check_at = None
            await self._store.save_thread_schedule(thread)
            return
        due = mod.unanswered_due(thread.created_at, sla)
        if not thread.nudged and now < due:
            helpers = [v for v in await self._store.top_helpers(thread.room, 10)
                       if v != thread.author_id]  # fmt: skip
            thread.nudged = True
            thread.next_check_at = due
            async with self._store.atomic() as unit:
                await self._store.save_thread_schedule(thread)
                if helpers:
                    unit.publish(outbox_item(EnthusiastsNudged(thread, tuple(helpers))))
            return
        signal = mod.unanswered_signal(thread.created_at, thread.answer_count, now, sla)
        thread.next_check_at = None
        async with self._store.atomic():
            await self._store.save_thread_schedule(thread)
            if signal is not None:
                await self.review(thread, [signal])
