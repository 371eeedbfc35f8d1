"""Staff-side shapes of cases, audit entries and threads (every message, any visibility)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from app.domain.models import Message, Thread
from app.domain.staff import Staff
from app.services.casework import allowed_actions
from app.services.views import message_view, thread_view
from moderation import redact
from moderation.cases import AuditEntry, Case

EXCERPT = 280


def case_view(case: Case, thread: Thread, staff: Staff | None = None) -> dict[str, Any]:
    """The protocol's case object. `staff` adds the actions that person may take now.

    The excerpt is redacted: personal data is only shown on the case page itself.
    """
    view: dict[str, Any] = {
        "id": case.id,
        "thread_id": case.thread_id,
        "room": case.room,
        "category": case.category,
        "state": case.state.value,
        "mode": case.mode.value,
        "priority": case.priority,
        "due_at": case.due_at.isoformat(),
        "assignee": (
            {"id": case.assignee_id, "name": case.assignee_name} if case.assignee_id else None
        ),
        "reasons": [
            {
                "code": r.code,
                "score": round(r.score, 2),
                "evidence": list(r.evidence),
                "verdict": r.verdict,
            }
            for r in case.reasons
        ],
        "created_at": case.created_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "flagged": case.flagged,
        "outcome": case.outcome,
        "thread": {
            "id": thread.id,
            "body": redact(thread.body)[:EXCERPT],
            "status": thread.status.value,
            "held": thread.held,
            "author": {"id": thread.author_id, "name": thread.author_name},
        },
        "webhook": (
            {
                "status": case.webhook.status,
                "attempts": case.webhook.attempts,
                "last_error": case.webhook.last_error,
            }
            if case.webhook
            else None
        ),
    }
    if staff is not None:
        view["actions"] = allowed_actions(case, thread, staff)
    return view


def staff_thread_view(
    thread: Thread, messages: list[Message], endorsed: Collection[str] = ()
) -> dict[str, Any]:
    """The whole thread as staff see it: private and held messages included, marked;
    `endorsed` (message ids) marks the answers brand staff endorsed."""
    view = thread_view(thread)
    view["body"] = thread.body  # staff see the question even when it is held
    view["messages"] = [
        {**message_view(m), "body": m.body, "hidden": m.hidden, "endorsed": m.id in endorsed}
        for m in messages
    ]
    return view


def audit_view(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at.isoformat(),
        "actor": {"id": entry.actor_id, "name": entry.actor_name, "kind": entry.actor_kind},
        "action": entry.action,
        "detail": entry.detail,
    }
