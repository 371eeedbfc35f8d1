"""The case workflow rules: one case per thread, who may do what, claims that expire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from moderation.cases import (
    Actor,
    Case,
    CaseState,
    Mode,
    WorkflowError,
    actions_for,
    needs_review,
    perform,
    precision_by_detector,
    release_overdue_claim,
)
from moderation.signals import Signal

NOW = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)
MODO = Actor("m1", "Modo")
OTHER = Actor("m2", "Autre")
ADMIN = Actor("a1", "Admin", admin=True)
RESPOND = timedelta(minutes=15)
CLAIM = timedelta(minutes=10)


def make_case() -> Case:
    case = Case(id="c1", thread_id="t1", room="r", category="", created_at=NOW,
                updated_at=NOW, due_at=NOW + RESPOND)  # fmt: skip
    needs_review(case, [Signal("frustration", 0.6, ("'!!!'",))], NOW, RESPOND)
    return case


def act(case: Case, action: str, actor: Actor = MODO, **kw: object) -> None:
    perform(case, action, actor, NOW, claim_within=CLAIM, **kw)  # type: ignore[arg-type]


def test_needs_review_merges_and_never_duplicates() -> None:
    case = make_case()
    first = case.priority
    assert not needs_review(case, [Signal("frustration", 0.6, ("'!!!'",))], NOW, RESPOND)
    assert needs_review(case, [Signal("frustration", 0.8, ("'inadmissible'",))], NOW, RESPOND)
    assert len(case.reasons) == 1
    assert case.reasons[0].score == 0.8
    assert case.reasons[0].evidence == ("'!!!'", "'inadmissible'")
    needs_review(case, [Signal("out_of_scope", 0.7, ("'remboursement'",))], NOW, RESPOND)
    assert [r.code for r in case.reasons] == ["frustration", "out_of_scope"]
    assert case.priority > first


def test_recomputed_reasons_replace_their_evidence() -> None:
    case = make_case()
    needs_review(case, [Signal("report", 0.34, ("1 report(s)", "pub"))], NOW, RESPOND)
    needs_review(case, [Signal("report", 0.67, ("2 report(s)", "pub"))], NOW, RESPOND)
    report = next(r for r in case.reasons if r.code == "report")
    assert report.evidence == ("2 report(s)", "pub")


def test_a_new_signal_reopens_a_closed_case() -> None:
    case = make_case()
    act(case, "dismiss")
    assert case.state is CaseState.DISMISSED
    later = NOW + timedelta(hours=1)
    needs_review(case, [Signal("abuse", 0.9, ("insult",))], later, RESPOND)
    assert case.state is CaseState.OPEN and case.due_at == later + RESPOND


def test_claim_takeover_private_reply_resolve() -> None:
    case = make_case()
    assert actions_for(case, MODO)[0] == "claim"
    act(case, "takeover")
    assert (case.state, case.mode, case.assignee_id) == (CaseState.CLAIMED, Mode.TAKEOVER, "m1")
    assert case.claim_due_at == NOW + CLAIM
    assert "takeover" not in actions_for(case, MODO)
    act(case, "reply")
    assert case.claim_due_at is None  # staff answered in time
    act(case, "private")
    assert case.mode is Mode.PRIVATE
    act(case, "resolve", outcome="refunded")
    assert (case.state, case.outcome) == (CaseState.RESOLVED, "refunded")
    assert actions_for(case, MODO) == ["feedback"]


def test_someone_elses_claim_is_forbidden_except_for_an_admin() -> None:
    case = make_case()
    act(case, "claim")
    with pytest.raises(WorkflowError) as refused:
        act(case, "reply", OTHER)
    assert refused.value.code == "forbidden"
    assert actions_for(case, OTHER) == ["feedback"]
    act(case, "claim", ADMIN)
    assert case.assignee_id == "a1"


@pytest.mark.parametrize(
    ("action", "kw", "code"),
    [
        ("reply", {}, "conflict"),  # not claimed yet
        ("handback", {}, "conflict"),
        ("resolve", {"outcome": "magic"}, "invalid"),
        ("feedback", {"feedback": ("spam", "confirm")}, "invalid"),  # no such reason
        ("feedback", {"feedback": ("frustration", "maybe")}, "invalid"),
        ("fly", {}, "invalid"),
    ],
)
def test_refusals(action: str, kw: dict[str, object], code: str) -> None:
    case = make_case()
    if action == "resolve":
        act(case, "claim")
    with pytest.raises(WorkflowError) as refused:
        act(case, action, **kw)
    assert refused.value.code == code


def test_an_idle_claim_goes_back_to_the_queue_flagged() -> None:
    case = make_case()
    act(case, "claim")
    assert not release_overdue_claim(case, NOW + CLAIM - timedelta(seconds=1))
    assert release_overdue_claim(case, NOW + CLAIM)
    assert (case.state, case.assignee_id, case.flagged) == (CaseState.OPEN, None, True)


def test_feedback_gives_precision_per_detector() -> None:
    case = make_case()
    act(case, "feedback", feedback=("frustration", "dismiss"))
    assert case.reasons[0].verdict == "dismiss"
    rows = precision_by_detector(
        [("frustration", "confirm"), ("frustration", "dismiss"), ("frustration", "confirm"),
         ("spam", "dismiss")]
    )  # fmt: skip
    assert [(r.code, r.confirmed, r.dismissed) for r in rows] == [
        ("frustration", 2, 1), ("spam", 0, 1)
    ]  # fmt: skip
    assert rows[0].precision == pytest.approx(2 / 3) and rows[1].precision == 0.0
