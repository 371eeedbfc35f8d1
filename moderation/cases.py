"""Moderation cases: one reviewable case per thread, its reasons, and the staff workflow.

Follows Discourse's review queue: `needs_review` is safe to call again (adds or raises a
reason, reopens a closed case, never duplicates); `actions_for` lists what one staff member
may do now; `perform` checks and applies an action and bumps nothing but the case itself —
the service persists it with an optimistic `version` check and writes the audit entry.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from moderation.priority import priority
from moderation.signals import Signal, SignalCode


class CaseState(enum.StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class Mode(enum.StrEnum):
    """How staff are handling a claimed case."""

    REVIEW = "review"  # claimed, not yet speaking in the thread
    TAKEOVER = "takeover"  # speaking in the public thread with the brand badge
    PRIVATE = "private"  # continuing privately with the asker


ACTIONS = ("claim", "takeover", "private", "reply", "handback", "resolve", "dismiss", "feedback")
OUTCOMES = ("answered", "refunded", "replaced", "no_action", "other", "handed_back")
CLOSED = frozenset({CaseState.RESOLVED, CaseState.DISMISSED})
# Signals computed from the whole history (all reports, the whole wait): the latest replaces
# the earlier one instead of adding evidence to it.
RECOMPUTED = frozenset({"report", "unanswered"})


class WorkflowError(Exception):
    """An action that is not allowed now. `code` is "conflict" or "forbidden"."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(slots=True)
class Reason:
    code: SignalCode
    score: float
    evidence: tuple[str, ...]
    at: datetime
    verdict: str | None = None  # "confirm" | "dismiss" once a moderator gave feedback

    def as_signal(self) -> Signal:
        return Signal(code=self.code, score=self.score, evidence=self.evidence)


@dataclass(slots=True)
class WebhookStatus:
    """Delivery of the case to the brand's helpdesk (when a webhook is configured)."""

    status: str = "pending"  # pending | delivered | failed
    attempts: int = 0
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of a case's history: who did what, when, with a human-readable detail.

    `subject_id` names the visitor an action was about (bonus, disqualify, ban...), so a
    contributor's review can list what staff did to them without parsing `detail`.
    """

    id: str
    case_id: str | None
    actor_id: str
    actor_name: str
    actor_kind: str  # staff | system | visitor
    action: str
    detail: str
    at: datetime
    subject_id: str | None = None


@dataclass(slots=True)
class Case:
    id: str
    thread_id: str
    room: str
    category: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime
    state: CaseState = CaseState.OPEN
    priority: int = 0
    reasons: list[Reason] = field(default_factory=list)
    assignee_id: str | None = None
    assignee_name: str | None = None
    mode: Mode = Mode.REVIEW
    claim_due_at: datetime | None = None
    flagged: bool = False
    outcome: str | None = None
    webhook: WebhookStatus | None = None
    version: int = 0


@dataclass(frozen=True, slots=True)
class Actor:
    """The staff member acting (id, display name, whether they are an admin)."""

    id: str
    name: str
    admin: bool = False


def needs_review(
    case: Case, signals: Iterable[Signal], now: datetime, respond_within: timedelta
) -> bool:
    """Merge `signals` into `case`; reopen it if it was closed. True if anything changed.

    The same reason twice keeps the higher score and the union of evidence, except for
    RECOMPUTED reasons, where the newer signal already sums up everything.
    """
    changed = False
    by_code = {r.code: r for r in case.reasons}
    for signal in signals:
        known = by_code.get(signal.code)
        if known is None:
            reason = Reason(signal.code, signal.score, signal.evidence, now)
            case.reasons.append(reason)
            by_code[signal.code] = reason
            changed = True
        elif signal.code in RECOMPUTED:
            if (signal.score, signal.evidence) != (known.score, known.evidence):
                known.score, known.evidence = signal.score, signal.evidence
                changed = True
        elif signal.score > known.score or not set(signal.evidence) <= set(known.evidence):
            known.score = max(known.score, signal.score)
            known.evidence = tuple(dict.fromkeys((*known.evidence, *signal.evidence)))
            changed = True
    if changed and case.state in CLOSED:
        case.state = CaseState.OPEN
        case.assignee_id = case.assignee_name = None
        case.mode = Mode.REVIEW
        case.outcome = None
        case.due_at = now + respond_within
    if changed:
        case.priority = priority(r.as_signal() for r in case.reasons)
        case.updated_at = now
    return changed


def actions_for(case: Case, actor: Actor) -> list[str]:
    """What `actor` may do on `case` right now, in the console's display order."""
    if case.state in CLOSED:
        return ["feedback"]
    mine = case.assignee_id == actor.id
    if case.state is CaseState.OPEN:
        return ["claim", "takeover", "private", "resolve", "dismiss", "feedback"]
    if not mine:
        return ["claim", "feedback"] if actor.admin else ["feedback"]
    allowed = ["takeover", "private", "reply", "handback", "resolve", "dismiss", "feedback"]
    if case.mode is Mode.TAKEOVER:
        allowed.remove("takeover")
    if case.mode is Mode.PRIVATE:
        allowed.remove("private")
    return allowed


def perform(
    case: Case,
    action: str,
    actor: Actor,
    now: datetime,
    *,
    claim_within: timedelta,
    outcome: str | None = None,
    feedback: tuple[str, str] | None = None,
) -> None:
    """Apply `action` to `case` or raise WorkflowError. Replies are `reply` (no state change
    beyond clearing the claim deadline, which a staff reply satisfies)."""
    if action not in ACTIONS:
        raise WorkflowError("invalid", f"unknown action {action!r}")
    if action not in actions_for(case, actor):
        owner = case.assignee_name or "someone else"
        if case.state is CaseState.CLAIMED and case.assignee_id != actor.id:
            raise WorkflowError("forbidden", f"this case is claimed by {owner}")
        raise WorkflowError("conflict", f"cannot {action} a case that is {case.state}")
    if action == "feedback":
        _give_feedback(case, feedback)
    elif action in ("claim", "takeover", "private"):
        if case.state is CaseState.OPEN or case.assignee_id != actor.id:
            case.claim_due_at = now + claim_within
        case.state = CaseState.CLAIMED
        case.assignee_id, case.assignee_name = actor.id, actor.name
        case.mode = {"claim": case.mode, "takeover": Mode.TAKEOVER, "private": Mode.PRIVATE}[action]
    elif action == "reply":
        case.claim_due_at = None  # staff answered in time
    elif action == "handback":
        _close(case, CaseState.RESOLVED, "handed_back")
    elif action == "resolve":
        if outcome not in OUTCOMES:
            raise WorkflowError("invalid", f"outcome must be one of {', '.join(OUTCOMES)}")
        _close(case, CaseState.RESOLVED, outcome)
    elif action == "dismiss":
        _close(case, CaseState.DISMISSED, None)
    case.updated_at = now


def _close(case: Case, state: CaseState, outcome: str | None) -> None:
    case.state = state
    case.outcome = outcome
    case.claim_due_at = None
    case.mode = Mode.REVIEW


def _give_feedback(case: Case, feedback: tuple[str, str] | None) -> None:
    if feedback is None or feedback[1] not in ("confirm", "dismiss"):
        raise WorkflowError("invalid", 'feedback needs a reason code and "confirm" or "dismiss"')
    code, verdict = feedback
    for reason in case.reasons:
        if reason.code == code:
            reason.verdict = verdict
            return
    raise WorkflowError("invalid", f"this case has no {code!r} reason")


def release_overdue_claim(case: Case, now: datetime) -> bool:
    """A claimed case whose staff did not reply in time goes back to the queue, flagged."""
    if case.state is not CaseState.CLAIMED or case.claim_due_at is None:
        return False
    if case.claim_due_at > now:
        return False
    case.state = CaseState.OPEN
    case.assignee_id = case.assignee_name = None
    case.mode = Mode.REVIEW
    case.claim_due_at = None
    case.flagged = True
    case.updated_at = now
    return True


@dataclass(frozen=True, slots=True)
class DetectorPrecision:
    code: str
    confirmed: int
    dismissed: int

    @property
    def precision(self) -> float | None:
        judged = self.confirmed + self.dismissed
        return self.confirmed / judged if judged else None


def precision_by_detector(verdicts: Sequence[tuple[str, str]]) -> list[DetectorPrecision]:
    """From (code, verdict) pairs of moderator feedback: how often each detector was right."""
    counts: dict[str, list[int]] = {}
    for code, verdict in verdicts:
        pair = counts.setdefault(code, [0, 0])
        pair[0 if verdict == "confirm" else 1] += 1
    return [DetectorPrecision(code, c, d) for code, (c, d) in sorted(counts.items())]
