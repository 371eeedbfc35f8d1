"""The storage contract for moderation: staff, cases and their reasons, the audit log, and
the sweeper's and detectors' look-ups (due threads and claims, authors' history, helpers)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from app.domain.errors import Conflict
from app.domain.models import EventType, MessageKind, Thread, ThreadStatus, Visibility
from app.domain.staff import Role, Staff
from app.store.port import Store
from moderation.cases import (
    AuditEntry,
    Case,
    CaseState,
    Mode,
    Reason,
    WebhookStatus,
)

from .helpers import BAG, WATCH, Factory, all_events, answered, at
from .test_store_contract import HOSTILE, rejected_or_empty


def staff(n: int = 1, **fields: Any) -> Staff:
    defaults: dict[str, Any] = {
        "email": f"agent{n}@shop.example",
        "name": f"Agent {n}",
        "role": Role.MODERATOR,
        "password_hash": f"scrypt$hash{n}",
        "created_at": at(n),
    }
    return Staff(id=f"s{n}", **(defaults | fields))


def case(n: int, *, thread_id: str = "", **fields: Any) -> Case:
    defaults: dict[str, Any] = {
        "room": WATCH,
        "category": "montres",
        "created_at": at(n),
        "updated_at": at(n),
        "due_at": at(60 + n),
    }
    return Case(id=f"k{n}", thread_id=thread_id or f"t{n}", **(defaults | fields))


def reason(code: Any, score: float = 0.5, minutes: float = 0, **fields: Any) -> Reason:
    defaults: dict[str, Any] = {"evidence": (f"{code} evidence",), "at": at(minutes)}
    return Reason(code=code, score=score, **(defaults | fields))


def audit(n: int, case_id: str | None, minutes: float, action: str = "claim") -> AuditEntry:
    return AuditEntry(
        id=f"a{n}",
        case_id=case_id,
        actor_id="s1",
        actor_name="Agent 1",
        actor_kind="staff",
        action=action,
        detail=f"{action} #{n}",
        at=at(minutes),
    )


# staff -------------------------------------------------------------------------------------
async def test_staff_round_trips_by_id_and_email(store: Store) -> None:
    admin = staff(1, role=Role.ADMIN)
    await store.add_staff(admin)
    await store.add_staff(staff(2))

    assert await store.get_staff("s1") == admin
    assert await store.get_staff_by_email("agent1@shop.example") == admin
    assert (await store.get_staff_by_email("agent2@shop.example")).id == "s2"  # type: ignore[union-attr]
    assert await store.get_staff("nobody") is None
    assert await store.get_staff_by_email("nobody@shop.example") is None


async def test_a_taken_email_conflicts(store: Store) -> None:
    first = staff(1)
    await store.add_staff(first)
    with pytest.raises(Conflict):
        await store.add_staff(staff(2, email=first.email))
    assert await store.get_staff("s2") is None
    assert await store.get_staff_by_email(first.email) == first


async def test_save_staff_keeps_the_backoff_state(store: Store) -> None:
    agent = staff(1)
    await store.add_staff(agent)

    agent.failed_logins = 6
    agent.locked_until = at(3)
    agent.name = "Agent Un"
    agent.role = Role.ADMIN
    agent.password_hash = "scrypt$new"
    await store.save_staff(agent)
    assert await store.get_staff("s1") == agent

    agent.failed_logins = 0
    agent.locked_until = None  # signed in: backoff cleared
    await store.save_staff(agent)
    assert await store.get_staff_by_email(agent.email) == agent


# cases -------------------------------------------------------------------------------------
async def test_case_round_trips_with_reasons_in_their_order(store: Store) -> None:
    stored = case(
        1,
        priority=70,
        reasons=[
            reason("spam", 0.7, evidence=("lien: bit.ly",)),  # same instant, not code order
            reason("abuse", 0.9),
            reason("frustration", 0.4, minutes=5, verdict="dismiss"),
        ],
        webhook=WebhookStatus("failed", 2, "HTTP 502"),
    )
    assert await store.insert_case(stored) == stored

    assert await store.get_case("k1") == stored
    assert await store.get_case_for_thread("t1") == stored
    assert [r.code for r in (await store.get_case("k1")).reasons] == [  # type: ignore[union-attr]
        "spam",
        "abuse",
        "frustration",
    ]
    assert await store.get_case("nope") is None
    assert await store.get_case_for_thread("nope") is None


async def test_cases_of_several_threads_in_one_read(store: Store) -> None:
    first = case(1, thread_id="t1", reasons=[reason("spam"), reason("abuse", 0.9)])
    second = case(2, thread_id="t2")
    await store.insert_case(first)
    await store.insert_case(second)

    assert await store.cases_of(["t1", "t2", "t3"]) == {"t1": first, "t2": second}
    assert await store.cases_of([]) == {}


async def test_a_second_case_for_a_thread_returns_the_first(store: Store) -> None:
    first = case(1, reasons=[reason("abuse")])
    await store.insert_case(first)

    again = await store.insert_case(case(2, thread_id="t1", reasons=[reason("spam")]))

    assert again == first
    assert await store.get_case("k2") is None
    assert await store.get_case_for_thread("t1") == first


async def test_update_case_saves_everything_and_bumps_the_version(store: Store) -> None:
    await store.insert_case(case(1, reasons=[reason("abuse"), reason("spam")]))
    claimed = await store.get_case("k1")
    assert claimed is not None

    claimed.state = CaseState.CLAIMED
    claimed.assignee_id, claimed.assignee_name = "s1", "Agent 1"
    claimed.mode = Mode.TAKEOVER
    claimed.claim_due_at = at(20)
    claimed.priority = 95
    claimed.flagged = True
    claimed.outcome = "answered"
    claimed.webhook = WebhookStatus("delivered", 1)
    claimed.updated_at = at(10)
    claimed.reasons[0].verdict = "confirm"
    claimed.reasons[1].verdict = "dismiss"
    claimed.reasons.append(reason("personal_data", 1.0, minutes=9, evidence=("téléphone",)))
    await store.update_case(claimed)

    assert claimed.version == 1
    assert await store.get_case("k1") == claimed

    claimed.reasons = claimed.reasons[1:]  # reasons are replaced, not merged
    claimed.webhook = None
    claimed.claim_due_at = None
    await store.update_case(claimed)
    assert await store.get_case_for_thread("t1") == claimed


async def test_stale_case_update_conflicts_and_changes_nothing(store: Store) -> None:
    await store.insert_case(case(1, reasons=[reason("abuse")]))
    mine = await store.get_case("k1")
    theirs = await store.get_case("k1")
    assert mine is not None and theirs is not None

    mine.state = CaseState.CLAIMED
    mine.assignee_id = "s1"
    await store.update_case(mine)
    theirs.state = CaseState.DISMISSED
    theirs.reasons[0].verdict = "dismiss"
    with pytest.raises(Conflict):
        await store.update_case(theirs)

    assert theirs.version == 0
    assert await store.get_case("k1") == mine
    with pytest.raises(Conflict):  # a case that was never stored cannot be updated either
        await store.update_case(case(9))


async def test_list_cases_orders_by_priority_then_deadline_and_filters(store: Store) -> None:
    cases = [
        case(1, priority=50, due_at=at(90), reasons=[reason("frustration")]),
        case(2, priority=90, due_at=at(80), reasons=[reason("abuse"), reason("spam")]),
        case(3, priority=50, due_at=at(70), reasons=[reason("spam")], state=CaseState.CLAIMED),
        case(4, priority=10, due_at=at(10), room=BAG, category="sacs", reasons=[reason("spam")]),
        case(
            5,
            priority=99,
            due_at=at(5),
            state=CaseState.RESOLVED,
            reasons=[reason("personal_data")],
        ),
        case(6, priority=50, due_at=at(100), state=CaseState.DISMISSED, room=BAG),
    ]
    for c in cases[::-1]:
        await store.insert_case(c)

    async def ids(**filters: Any) -> list[str]:
        return [c.id for c in await store.list_cases(**filters)]

    assert await ids() == ["k5", "k2", "k3", "k1", "k6", "k4"]
    assert await ids(limit=2) == ["k5", "k2"]
    waiting = [CaseState.OPEN, CaseState.CLAIMED]
    assert await ids(states=waiting) == ["k2", "k3", "k1", "k4"]
    assert await ids(states=[CaseState.RESOLVED]) == ["k5"]
    assert await ids(reason="spam") == ["k2", "k3", "k4"]
    assert await ids(reason="report") == []
    assert await ids(room=BAG) == ["k6", "k4"]
    assert await ids(category="sacs") == ["k4"]
    assert await ids(states=waiting, reason="spam", room=WATCH) == ["k2", "k3"]
    assert await ids(states=[CaseState.OPEN], category="montres") == ["k2", "k1"]
    assert await store.list_cases(room="shop.example/unknown") == []
    assert (await store.list_cases(reason="abuse"))[0] == cases[1]


async def test_due_claims_are_the_claims_past_their_deadline_nearest_first(store: Store) -> None:
    claimed = {"state": CaseState.CLAIMED, "assignee_id": "s1"}
    await store.insert_case(case(1, claim_due_at=at(30), **claimed))
    await store.insert_case(case(2, claim_due_at=at(10), **claimed))
    await store.insert_case(case(3, claim_due_at=at(50), **claimed))  # not yet
    await store.insert_case(case(4))  # not claimed
    await store.insert_case(case(5, claim_due_at=at(20), **claimed))

    assert [c.id for c in await store.due_claims(at(30))] == ["k2", "k5", "k1"]
    assert [c.id for c in await store.due_claims(at(30), limit=1)] == ["k2"]
    assert await store.due_claims(at(5)) == []
    assert (await store.due_claims(at(10)))[0] == await store.get_case("k2")


async def test_detector_feedback_lists_every_judged_reason(store: Store) -> None:
    await store.insert_case(
        case(
            1,
            reasons=[
                reason("spam", verdict="confirm"),
                reason("abuse"),
                reason("frustration", verdict="dismiss"),
            ],
        )
    )
    await store.insert_case(case(2, reasons=[reason("spam", verdict="dismiss")]))
    await store.insert_case(case(3, reasons=[reason("spam"), reason("abuse")]))
    await store.insert_case(case(4))
    later = await store.get_case("k3")
    assert later is not None
    later.reasons[1].verdict = "confirm"
    await store.update_case(later)

    assert sorted(await store.detector_feedback()) == [
        ("abuse", "confirm"),
        ("frustration", "dismiss"),
        ("spam", "confirm"),
        ("spam", "dismiss"),
    ]


async def test_detector_feedback_is_empty_without_verdicts(store: Store) -> None:
    assert await store.detector_feedback() == []
    await store.insert_case(case(1, reasons=[reason("spam")]))
    assert await store.detector_feedback() == []


# audit -------------------------------------------------------------------------------------
async def test_audit_lists_a_cases_entries_oldest_first(store: Store) -> None:
    entries = [
        audit(1, "k1", 30, "resolve"),
        audit(2, "k1", 10, "claim"),
        audit(3, "k2", 20),
        audit(4, None, 5, "sign_in"),
        audit(5, "k1", 20, "reply"),
    ]
    for entry in entries:
        await store.add_audit(entry)

    assert await store.list_audit("k1") == [entries[1], entries[4], entries[0]]
    assert await store.list_audit("k2") == [entries[2]]
    assert await store.list_audit("nope") == []


# sweeper: due threads and schedules ---------------------------------------------------------
async def scheduled(store: Store, make: Factory, minutes: float | None, **kw: Any) -> Thread:
    thread, _ = await make.ask(f"Question à revoir à {minutes} ?", **kw)
    thread.next_check_at = None if minutes is None else at(minutes)
    await store.save_thread_schedule(thread)
    return thread


async def test_due_threads_are_the_due_ones_nearest_first(store: Store, make: Factory) -> None:
    late = await scheduled(store, make, 30)
    await scheduled(store, make, None)  # nothing to check
    early = await scheduled(store, make, 10)
    await scheduled(store, make, 120)  # not yet
    now_due = await scheduled(store, make, 60)
    other_room = await scheduled(store, make, 20, room_key=BAG)

    due = await store.due_threads(at(60))

    assert [t.id for t in due] == [early.id, other_room.id, late.id, now_due.id]
    assert due[0] == await store.get_thread(early.id)
    assert [t.id for t in await store.due_threads(at(60), limit=2)] == [early.id, other_room.id]
    assert await store.due_threads(at(5)) == []


async def test_save_thread_schedule_saves_only_the_schedule(store: Store, make: Factory) -> None:
    thread, _ = await make.ask("La montre est-elle étanche ?")
    changed = dataclasses.replace(
        thread, next_check_at=at(45), nudged=True, status=ThreadStatus.HIDDEN, answer_count=9
    )

    await store.save_thread_schedule(changed)

    expected = dataclasses.replace(thread, next_check_at=at(45), nudged=True)
    assert await store.get_thread(thread.id) == expected  # no version bump, nothing else
    assert len(await all_events(store)) == 1
    assert (await store.get_room(WATCH)).seq == 1  # type: ignore[union-attr]
    # The version did not move: an update from the thread read before still applies.
    thread.status = ThreadStatus.ESCALATED
    event = await store.update_thread(thread)
    assert event is not None
    assert event.type is EventType.THREAD_UPDATED
    assert thread.version == 1

    expected.next_check_at = None
    await store.save_thread_schedule(expected)
    assert await store.due_threads(at(10_000)) == []


# detector context --------------------------------------------------------------------------
async def test_recent_by_author_is_the_latest_questions_and_answers_oldest_first(
    store: Store, make: Factory
) -> None:
    question, _ = await make.ask("Première question ?", author="camille")  # at(1)
    other, _ = await make.ask("Question d'un autre ?", author="hugo")  # at(2)
    await make.answer(other, "Réponse de Camille", author="camille", created_at=at(10))
    await make.answer(other, "Réponse de Hugo", author="hugo", created_at=at(11))
    held = make.thread("Deuxième question ?", author="camille", held=True)
    held.created_at = at(20)
    await store.insert_thread(held, [])
    await make.answer(
        question,
        "Précision privée",
        author="camille",
        created_at=at(5),
        visibility=Visibility.PRIVATE,
    )

    recent = await store.recent_by_author("camille")

    assert recent == [
        ("Première question ?", at(1)),
        ("Précision privée", at(5)),
        ("Réponse de Camille", at(10)),
        ("Deuxième question ?", at(20)),
    ]
    assert await store.recent_by_author("camille", limit=2) == recent[2:]
    assert await store.recent_by_author("nobody") == []


async def test_top_helpers_sum_helpful_votes_of_public_answers(store: Store, make: Factory) -> None:
    thread, _ = await make.ask("La montre est-elle étanche ?")
    elsewhere, _ = await make.ask("Le cuir est-il végétal ?", room_key=BAG)

    async def answer(author: str, votes: int, on: Thread = thread, **fields: Any) -> None:
        message = make.message(on, author=author, **fields)
        answered(on, message.created_at)
        await store.insert_message(message, on)
        for voter in range(votes):
            await store.set_vote(message.id, f"voter{voter}", 1)
        if fields.get("hidden"):
            await store.update_message(message)

    await answer("ana", 2)
    await answer("ana", 1)
    await answer("ben", 4)
    await answer("chloe", 1)
    await answer("dan", 0)  # never found helpful
    await answer("eve", 9, hidden=True)  # hidden by staff
    await answer("fred", 9, visibility=Visibility.PRIVATE)
    await answer("gus", 9, visibility=Visibility.HELD)
    await answer("staff-1", 9, kind=MessageKind.STAFF)  # staff are not helpers
    await answer("hana", 9, on=elsewhere)  # another room

    assert await store.top_helpers(WATCH) == ["ben", "ana", "chloe"]
    assert await store.top_helpers(WATCH, limit=2) == ["ben", "ana"]
    assert await store.top_helpers(BAG) == ["hana"]
    assert await store.top_helpers("shop.example/unknown") == []


# hostile input -----------------------------------------------------------------------------
@pytest.mark.parametrize("hostile", HOSTILE, ids=repr)
async def test_operator_values_never_match_moderation_records(
    store: Store, make: Factory, hostile: Any
) -> None:
    thread, _ = await make.ask("La montre est-elle étanche ?")
    await make.answer(thread)
    await store.add_staff(staff(1))
    await store.insert_case(case(1, thread_id=thread.id, reasons=[reason("spam")]))
    await store.add_audit(audit(1, "k1", 0))

    for call in (
        store.get_staff(hostile),
        store.get_staff_by_email(hostile),
        store.get_case(hostile),
        store.get_case_for_thread(hostile),
        store.list_audit(hostile),
        store.recent_by_author(hostile),
        store.top_helpers(hostile),
    ):
        assert await rejected_or_empty(call)
