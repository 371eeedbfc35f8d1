"""The storage contract for the staff's contributor review: reports against an author's
messages, their hidden content, how long askers waited for their first answer, and the audit
lines about them. Plus each adapter's indexes and the SQLite upgrade of an older database."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from app.domain.models import MessageKind, Thread, ThreadStatus, Visibility
from app.store.mongo import MongoStore
from app.store.port import Store
from app.store.sqlite import SqliteStore
from moderation.cases import AuditEntry
from moderation.reports import Report

from .conftest import Backend
from .helpers import BAG, Factory, answered, at
from .test_store_contract import HOSTILE, REJECTED


def report(n: int, author: str = "helper", minutes: float = 0, **fields: Any) -> Report:
    defaults: dict[str, Any] = {
        "message_id": f"m{n}",
        "thread_id": f"t{n}",
        "room": "shop.example/montre-alpina",
        "reporter_id": f"reporter{n}",
        "reason": f"spam #{n}",
        "case_id": f"k{n}",
    }
    return Report(id=f"r{n}", author_id=author, at=at(minutes), **(defaults | fields))


def audit(n: int, minutes: float, subject: str | None, action: str = "bonus") -> AuditEntry:
    return AuditEntry(
        id=f"a{n}",
        case_id=None,
        actor_id="s1",
        actor_name="Agent 1",
        actor_kind="staff",
        action=action,
        detail=f"{action} #{n}",
        at=at(minutes),
        subject_id=subject,
    )


# reports -----------------------------------------------------------------------------------
async def test_reports_against_count_all_and_list_the_latest_first(backend: Backend) -> None:
    store = backend.make()
    await store.open()
    mine = [report(1, minutes=10), report(2, minutes=30), report(3, minutes=20, case_id=None)]
    for r in [*mine, report(4, "someone-else", 40)]:
        await store.add_report(r)
    await store.close()

    again = backend.make()  # written reports survive a reopen
    await again.open()
    try:
        assert await again.reports_against("helper") == (3, [mine[1], mine[2], mine[0]])
        assert await again.reports_against("helper", limit=1) == (3, [mine[1]])
        assert await again.reports_against("someone-else") == (1, [report(4, "someone-else", 40)])
        assert await again.reports_against("nobody") == (0, [])
    finally:
        await again.close()


# hidden content ----------------------------------------------------------------------------
async def test_hidden_by_author_counts_every_hidden_answer_and_question(
    store: Store, make: Factory
) -> None:
    question, _ = await make.ask("La montre est-elle étanche ?")
    for n in range(12):  # more than any "recent answers" window
        message = await make.answer(question, f"Réponse {n}", author="helper")
        if n % 4 == 0:
            message.hidden = True
            await store.update_message(message)
    await make.answer(question, "Autre", author="other", hidden=True)
    theirs, _ = await make.ask("Le bracelet est-il en cuir ?", author="helper")
    theirs.status = ThreadStatus.HIDDEN
    await store.update_thread(theirs)
    await make.ask("Une autre question ?", author="helper")  # visible

    assert await store.hidden_by_author("helper") == 3 + 1
    assert await store.hidden_by_author("asker") == 0
    assert await store.hidden_by_author("nobody") == 0


# time to a first answer --------------------------------------------------------------------
async def answer_at(
    store: Store, make: Factory, thread: Thread, minutes: float, **fields: Any
) -> None:
    message = make.message(thread, author="helper", created_at=at(minutes), **fields)
    answered(thread, message.created_at)
    await store.insert_message(message, thread)
    if fields.get("hidden"):
        await store.update_message(message)


async def test_first_answer_waits_measure_each_others_thread_once(
    store: Store, make: Factory
) -> None:
    fast, _ = await make.ask("Étanche ?")  # asked at(1)
    await answer_at(store, make, fast, 11)  # 10 min
    await answer_at(store, make, fast, 30)  # a later answer in the same thread: not a new wait
    slow, _ = await make.ask("Cuir végétal ?", room_key=BAG)  # at(4)
    await answer_at(store, make, slow, 4 + 180)  # 3 hours: slow answers count too
    own, _ = await make.ask("Ma propre question ?", author="helper")
    await answer_at(store, make, own, 200)  # their own question: not helping anyone
    held = await make.hold("Question retenue ?")
    await answer_at(store, make, held, 210)  # a held question is not public
    private, _ = await make.ask("Livraison ?")  # at(10)
    await answer_at(store, make, private, 220, visibility=Visibility.PRIVATE)
    hidden_first, _ = await make.ask("Garantie ?")  # at(12)
    await answer_at(store, make, hidden_first, 13, hidden=True)  # hidden: not an answer
    await answer_at(store, make, hidden_first, 12 + 45)  # the first one askers could read
    staff_only, _ = await make.ask("Remboursement ?")
    await answer_at(store, make, staff_only, 240, kind=MessageKind.STAFF)

    waits = await store.first_answer_waits("helper")

    assert waits == [180 * 60, 45 * 60, 10 * 60]  # the latest first answer first
    assert await store.first_answer_waits("helper", limit=2) == [180 * 60, 45 * 60]
    assert await store.first_answer_waits("asker") == []
    assert await store.first_answer_waits("nobody") == []


# audit about a visitor ---------------------------------------------------------------------
async def test_audit_about_a_visitor_is_newest_first_and_keeps_the_subject(store: Store) -> None:
    lines = [
        audit(1, 10, "helper"),
        audit(2, 30, "helper", "disqualify"),
        audit(3, 20, "other", "ban"),
        audit(4, 40, None, "sign_in"),
        audit(5, 50, "helper", "reinstate"),
    ]
    for line in lines:
        await store.add_audit(line)
    in_case = AuditEntry("a6", "k1", "s1", "Agent 1", "staff", "hide", "m1", at(5), "helper")
    await store.add_audit(in_case)

    assert await store.list_audit_about("helper") == [lines[4], lines[1], lines[0], in_case]
    assert await store.list_audit_about("helper", limit=2) == [lines[4], lines[1]]
    assert await store.list_audit_about("other") == [lines[2]]
    assert await store.list_audit_about("nobody") == []
    assert await store.list_audit("k1") == [in_case]  # the case's own history is unchanged


# hostile input -----------------------------------------------------------------------------
async def found_nothing(call: Any) -> bool:
    """True when the adapter refused the value or found nothing (empty, zero)."""
    try:
        result = await call
    except REJECTED:
        return True
    return result in (None, [], 0, (0, []))


@pytest.mark.parametrize("hostile", HOSTILE, ids=repr)
async def test_operator_values_never_match_review_records(
    store: Store, make: Factory, hostile: Any
) -> None:
    question, _ = await make.ask("La montre est-elle étanche ?")
    await answer_at(store, make, question, 30, hidden=True)
    await answer_at(store, make, question, 40)
    await store.add_report(report(1))
    await store.add_audit(audit(1, 0, "helper"))

    for call in (
        store.reports_against(hostile),
        store.hidden_by_author(hostile),
        store.first_answer_waits(hostile),
        store.list_audit_about(hostile),
    ):
        assert await found_nothing(call)


# adapter specifics -------------------------------------------------------------------------
async def test_mongo_indexes_the_review_reads(mongo_store: MongoStore) -> None:
    await mongo_store.open()  # idempotent on an existing database
    audit_info = await mongo_store.database["audit"].index_information()
    reports_info = await mongo_store.database["reports"].index_information()

    assert [(k, int(d)) for k, d in audit_info["audit_by_subject"]["key"]] == [
        ("subject_id", 1),
        ("at", -1),
    ]
    assert [(k, int(d)) for k, d in reports_info["reports_by_author"]["key"]] == [
        ("author_id", 1),
        ("at", -1),
    ]


OLD_AUDIT = """
CREATE TABLE audit (
    id TEXT PRIMARY KEY, case_id TEXT, actor_id TEXT NOT NULL, actor_name TEXT NOT NULL,
    actor_kind TEXT NOT NULL, action TEXT NOT NULL, detail TEXT NOT NULL, at TEXT NOT NULL
);
INSERT INTO audit VALUES
    ('a0', 'k1', 's1', 'Agent 1', 'staff', 'claim', '', '2025-03-01T12:00:00+00:00');
"""


async def test_sqlite_upgrades_an_audit_table_from_before_subjects(tmp_path: Path) -> None:
    path = str(tmp_path / "old.db")
    with sqlite3.connect(path) as old:
        old.executescript(OLD_AUDIT)
    old.close()

    store = SqliteStore(path)
    await store.open()
    try:
        assert [(e.id, e.subject_id) for e in await store.list_audit("k1")] == [("a0", None)]
        await store.add_audit(audit(1, 10, "helper"))
        assert await store.list_audit_about("helper") == [audit(1, 10, "helper")]
        for sql, params in (
            ("SELECT * FROM audit WHERE subject_id = ? ORDER BY at DESC LIMIT 5", ("helper",)),
            ("SELECT * FROM reports WHERE author_id = ? ORDER BY at DESC LIMIT 5", ("helper",)),
        ):
            async with store._r.execute(f"EXPLAIN QUERY PLAN {sql}", params) as cur:
                detail = " | ".join(row["detail"] for row in await cur.fetchall())
            assert "USING INDEX" in detail and "TEMP B-TREE" not in detail, detail
    finally:
        await store.close()
    reopened = SqliteStore(path)  # a second open finds the column and changes nothing
    await reopened.open()
    await reopened.close()
