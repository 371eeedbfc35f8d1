"""What staff do with a case: claim, take over in the thread, continue privately, reply,
hand back, resolve, dismiss, give feedback; hide or restore a message; ban a visitor.

Every action is checked by `moderation.cases.perform` (the rules) and written in one unit
(`store.atomic()`): the case with its version check, the thread and messages that follow it,
the audit lines, and the outbox items that tell every console, the room and rewards after
commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from app.domain import lifecycle
from app.domain.errors import Conflict, Forbidden, Invalid, NotFound
from app.domain.models import (
    EventType,
    Message,
    MessageKind,
    Thread,
    ThreadStatus,
    Visibility,
    Visitor,
    new_id,
    utcnow,
)
from app.domain.outbox import Unit
from app.domain.staff import Role, Staff
from app.domain.text import clean_body, search_terms
from app.services.bus import CaseChanged, ContentModerated, PrivateMessage
from app.services.moderation import ModerationService
from app.services.outbox import outbox_item
from app.store.port import ModerationUnit
from moderation.cases import (
    Actor,
    AuditEntry,
    Case,
    CaseState,
    Mode,
    WorkflowError,
    actions_for,
    perform,
    precision_by_detector,
)

STAFF_JOINED = "staff_joined"  # system message code, translated by the widget
_CODES = {"forbidden": Forbidden, "conflict": Conflict, "invalid": Invalid}
LIVE = (ThreadStatus.OPEN, ThreadStatus.ANSWERED, ThreadStatus.ESCALATED)


@dataclass(frozen=True, slots=True)
class CaseDetail:
    case: Case
    thread: Thread
    messages: list[Message]
    audit: list[AuditEntry]


def actor_of(staff: Staff) -> Actor:
    return Actor(staff.id, staff.name, staff.role is Role.ADMIN)


class Casework:
    def __init__(
        self,
        store: ModerationUnit,
        moderation: ModerationService,
        *,
        claim_within: timedelta,
        max_body_chars: int,
    ) -> None:
        self._store = store
        self._moderation = moderation
        self._claim_within = claim_within
        self._max_body = max_body_chars

    # reads -------------------------------------------------------------------------------
    async def queue(self, **filters: Any) -> list[tuple[Case, Thread]]:
        cases = await self._store.list_cases(**filters)
        threads = {t.id: t for t in await self._store.get_threads([c.thread_id for c in cases])}
        return [(c, threads[c.thread_id]) for c in cases if c.thread_id in threads]

    async def detail(self, case_id: str) -> CaseDetail:
        case = await self._case(case_id)
        thread = await self._thread(case.thread_id)
        messages = await self._store.list_messages(thread.id)
        return CaseDetail(case, thread, messages, await self._store.list_audit(case.id))

    async def detector_precision(self, staff: Staff) -> list[Any]:
        if staff.role is not Role.ADMIN:
            raise Forbidden("only an admin sees detector precision")
        return precision_by_detector(await self._store.detector_feedback())

    async def detector_model(self, staff: Staff) -> dict[str, Any]:
        """The learned model in use (version, where it comes from, its scores on the corpus'
        held-out test part next to the rules alone) and the latest retraining attempts."""
        if staff.role is not Role.ADMIN:
            raise Forbidden("only an admin sees detector precision")
        model = self._moderation.model
        recent = await self._store.detector_models(5)
        active = next((r for r in recent if r.active), None)
        in_use = active is not None and model is not None and active.version == model.version
        scores = model.scores if model is not None else {}
        return {
            "version": model.version if model is not None else None,
            "source": "shop" if in_use else ("shipped" if model is not None else "rules"),
            "trained_at": active.created_at.isoformat() if in_use and active else None,
            "feedback_count": active.feedback_count if in_use and active else 0,
            "test": scores.get("test"),
            "rules_test": scores.get("rules_test"),
            "attempts": [
                {
                    "version": r.version,
                    "at": r.created_at.isoformat(),
                    "active": r.active,
                    "feedback_count": r.feedback_count,
                    "macro_f1": (r.scores.get("test") or {}).get("macro_f1"),
                    "previous_macro_f1": (r.scores.get("previous_test") or {}).get("macro_f1"),
                }
                for r in recent
            ],
        }

    # the workflow ------------------------------------------------------------------------
    async def act(self, staff: Staff, case_id: str, action: str, params: dict[str, Any]) -> Case:
        """Perform one console action; the thread and room follow the case."""
        case = await self._case(case_id)
        actor = actor_of(staff)
        before_mode = case.mode
        feedback = None
        if action == "feedback":
            feedback = (str(params.get("code", "")), str(params.get("verdict", "")))
        try:
            perform(
                case, action, actor, utcnow(),
                claim_within=self._claim_within,
                outcome=params.get("outcome"),
                feedback=feedback,
            )  # fmt: skip
        except WorkflowError as exc:
            raise _CODES.get(exc.code, Conflict)(exc.message) from None
        body = None
        if action == "reply":
            body = clean_body(str(params.get("body", "")), limit=self._max_body)
        async with self._store.atomic() as unit:
            await self._store.update_case(case)
            detail = self._describe(action, params)
            await self._moderation.audit(case, (staff.id, staff.name, "staff"), action, detail)
            thread = await self._thread(case.thread_id)
            thread = await self._follow_case(thread, case, action, before_mode)
            if body is not None:
                private = bool(params.get("private")) or case.mode is Mode.PRIVATE
                await self._post(thread, staff, body, private=private)
            unit.publish(outbox_item(CaseChanged(case=case, thread=thread)))
        return case

    @staticmethod
    def _describe(action: str, params: dict[str, Any]) -> str:
        if action == "resolve":
            return f"outcome: {params.get('outcome')}"
        if action == "feedback":
            return f"{params.get('code')}: {params.get('verdict')}"
        if action == "reply":
            return "private reply" if params.get("private") else "reply in the thread"
        return ""

    async def _follow_case(
        self, thread: Thread, case: Case, action: str, before_mode: Mode
    ) -> Thread:
        """Move the thread with the case: staff took over, handed back, resolved..."""
        if action in ("takeover", "private") and thread.status is not ThreadStatus.STAFF:
            if thread.status is not ThreadStatus.ESCALATED and thread.status in LIVE:
                thread = await self._move(thread, ThreadStatus.ESCALATED)
            if thread.status is ThreadStatus.ESCALATED:
                thread = await self._move(thread, ThreadStatus.STAFF)
        if action == "takeover" and before_mode is not Mode.TAKEOVER and not thread.held:
            await self._post_system(thread, STAFF_JOINED)
        if action in ("handback", "dismiss") and thread.status in (
            ThreadStatus.ESCALATED, ThreadStatus.STAFF
        ):  # fmt: skip
            back = ThreadStatus.ANSWERED if thread.answer_count else ThreadStatus.OPEN
            thread = await self._move(thread, back)
        if action == "resolve" and thread.status is not ThreadStatus.RESOLVED:
            thread = await self._move(thread, ThreadStatus.RESOLVED)
        return thread

    async def _move(self, thread: Thread, status: ThreadStatus) -> Thread:
        """Inside a unit: the thread as read there (`_thread`), so its version is current."""
        lifecycle.move(thread, status)
        thread.updated_at = utcnow()
        await self._store.update_thread(thread)
        return thread

    async def _post(self, thread: Thread, staff: Staff, body: str, *, private: bool) -> None:
        message = Message(
            id=new_id(),
            thread_id=thread.id,
            room=thread.room,
            kind=MessageKind.STAFF,
            author_id=staff.id,
            author_name=staff.name,
            body=body,
            client_id=new_id(),
            created_at=utcnow(),
            visibility=Visibility.PRIVATE if private or thread.held else Visibility.PUBLIC,
        )
        await self._insert(thread, message)

    async def _post_system(self, thread: Thread, code: str) -> None:
        message = Message(
            id=new_id(), thread_id=thread.id, room=thread.room, kind=MessageKind.SYSTEM,
            author_id="system", author_name="Entraide", body=code, client_id=new_id(),
            created_at=utcnow(),
        )  # fmt: skip
        await self._insert(thread, message)

    async def _insert(self, thread: Thread, message: Message) -> None:
        """Inside a unit: `thread` was read there and follows every change made since."""
        async with self._store.atomic() as unit:  # joins the caller's
            await self._store.insert_message(message, thread)
            if message.visibility is not Visibility.PUBLIC or thread.held:
                unit.publish(outbox_item(PrivateMessage(thread=thread, message=message)))

    # messages and visitors ---------------------------------------------------------------
    async def set_hidden(self, staff: Staff, message_id: str, hidden: bool) -> Message:
        """Hide a message from the room (or restore it); a held one is published on restore."""
        message = await self._store.get_message(message_id)
        if message is None:
            raise NotFound("no such message")
        event_type = EventType.MESSAGE_UPDATED
        if not hidden and message.visibility is Visibility.HELD:
            message.visibility = Visibility.PUBLIC  # a moderator approved a held message
            event_type = EventType.MESSAGE_CREATED
        elif message.hidden == hidden:
            raise Conflict("this message is already " + ("hidden" if hidden else "visible"))
        message.hidden = hidden
        action = "hide" if hidden else "restore"
        async with self._store.atomic() as unit:
            await self._store.update_message(message, event_type)
            unit.publish(outbox_item(ContentModerated(action, staff.id, message=message)))
            await self._audit_on_case(
                unit, staff, message.thread_id, action, f"message {message.id}"
            )
        return message

    async def set_thread_hidden(self, staff: Staff, thread_id: str, hidden: bool) -> Thread:
        """Take a published question down (or put it back): gone from the room, lists,
        replay and search; its points are taken back (and given back on restore)."""
        action = "hide" if hidden else "restore"
        async with self._store.atomic() as unit:
            thread = await self._thread(thread_id)
            if thread.held:
                raise Conflict("this question was never published; release or dismiss its case")
            if (thread.status is ThreadStatus.HIDDEN) == hidden:
                raise Conflict("this question is already " + ("hidden" if hidden else "visible"))
            lifecycle.move(thread, ThreadStatus.HIDDEN if hidden else lifecycle.restored(thread))
            thread.updated_at = utcnow()
            thread.next_check_at = None
            await self._store.update_thread(thread)
            unit.publish(outbox_item(ContentModerated(action, staff.id, thread=thread)))
            await self._audit_on_case(unit, staff, thread.id, action, f"question {thread.id}")
            await self._store.add_audit(  # about the asker: their review lists it
                AuditEntry(new_id(), None, staff.id, staff.name, "staff", f"{action}_question",
                           f"question {thread.id}", utcnow(), subject_id=thread.author_id)
            )  # fmt: skip
        return thread

    async def _audit_on_case(
        self, unit: Unit, staff: Staff, thread_id: str, action: str, detail: str
    ) -> None:
        """Write the action in the thread's case log, if it has a case, and tell consoles."""
        case = await self._store.get_case_for_thread(thread_id)
        if case is None:
            return
        await self._moderation.audit(case, (staff.id, staff.name, "staff"), action, detail)
        thread = await self._thread(thread_id)
        unit.publish(outbox_item(CaseChanged(case=case, thread=thread)))

    async def release_question(self, staff: Staff, case_id: str) -> Thread:
        """Publish a held question after review (a false alarm)."""
        case = await self._case(case_id)
        async with self._store.atomic() as unit:
            thread = await self._thread(case.thread_id)
            if not thread.held:
                raise Conflict("this question is already public")
            await self._store.release_thread(thread, search_terms(thread.body))
            await self._moderation.audit(case, (staff.id, staff.name, "staff"), "release", "")
            unit.publish(outbox_item(CaseChanged(case=case, thread=thread)))
        return thread

    async def ban(self, staff: Staff, visitor_id: str, days: int | None, reason: str) -> Visitor:
        visitor = await self._store.get_visitor(visitor_id)
        if visitor is None:
            raise NotFound("no such visitor")
        visitor.banned_until = utcnow() + timedelta(days=days) if days else None
        what = f"banned for {days} days: {reason}" if days else "ban lifted"
        action = "ban" if days else "unban"
        async with self._store.atomic() as unit:
            await self._store.update_visitor(visitor)
            unit.publish(outbox_item(ContentModerated(action, staff.id, visitor_id=visitor.id)))
            await self._store.add_audit(  # about the visitor: their review lists it
                AuditEntry(new_id(), None, staff.id, staff.name, "staff", action,
                           what, utcnow(), subject_id=visitor.id)
            )  # fmt: skip
        return visitor

    # helpers -----------------------------------------------------------------------------
    async def _case(self, case_id: str) -> Case:
        case = await self._store.get_case(case_id)
        if case is None:
            raise NotFound("no such case")
        return case

    async def _thread(self, thread_id: str) -> Thread:
        """Inside a unit, as the unit will change it (see Store.get_thread_for_update)."""
        thread = await self._store.get_thread_for_update(thread_id)
        if thread is None:
            raise NotFound("no such question")
        return thread


def allowed_actions(case: Case, thread: Thread, staff: Staff) -> list[str]:
    """The console's buttons: the workflow's actions, plus `release` for a held question."""
    actions = actions_for(case, actor_of(staff))
    if thread.held and case.state is not CaseState.DISMISSED and "claim" not in actions[:1]:
        actions = [*actions, "release"]
    return actions
