"""How the ledger is stored in SQLite: its columns, the one timestamp format, and the
conversions between rows and `LedgerEntry` / `Revocation` (shared by the ledger and the
board totals)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from rewards.ledger import LedgerEntry, Revocation, require_aware


def placeholders(n: int) -> str:
    return ", ".join("?" * n)


LEDGER_FIELDS = (
    "id", "visitor_id", "person", "points", "reason", "rule", "ref_kind", "ref_id",
    "thread_id", "room", "category", "giver_id", "giver_person", "lang", "note", "created_at",
    "revoked_at", "revoked_reason",
)  # fmt: skip
LEDGER_COLUMNS = ", ".join(LEDGER_FIELDS)
INSERT_ENTRY_SQL = (
    f"INSERT INTO ledger ({LEDGER_COLUMNS}) VALUES ({placeholders(len(LEDGER_FIELDS))})"
    " ON CONFLICT (id) DO NOTHING"
)
# Bound parameters per statement stay far below SQLite's limit.
CHUNK = 500


def stamp(value: datetime) -> str:
    """The one ledger timestamp format: fixed width, so text order is time order."""
    return require_aware("timestamp", value).isoformat(timespec="microseconds")


def stamp_or_none(value: datetime | None) -> str | None:
    return stamp(value) if value is not None else None


def parse_stamp(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(UTC)


def chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def cleared(e: LedgerEntry) -> LedgerEntry:
    return replace(e, revoked_at=None, revoked_reason=None)


def entry_from(row: sqlite3.Row) -> LedgerEntry:
    return LedgerEntry(
        id=row["id"],
        visitor_id=row["visitor_id"],
        person=row["person"],
        points=row["points"],
        reason=row["reason"],
        rule=row["rule"],
        ref_kind=row["ref_kind"],
        ref_id=row["ref_id"],
        thread_id=row["thread_id"],
        room=row["room"],
        category=row["category"],
        giver_id=row["giver_id"],
        giver_person=row["giver_person"],
        lang=row["lang"],
        note=row["note"],
        created_at=parse_stamp(row["created_at"]),
        revoked_at=parse_stamp(row["revoked_at"]) if row["revoked_at"] is not None else None,
        revoked_reason=row["revoked_reason"],
    )


def entry_values(e: LedgerEntry) -> tuple[Any, ...]:
    """A new row: the effective state starts clear; only revocation records set it."""
    return (
        e.id, e.visitor_id, e.person, e.points, e.reason.value, e.rule, e.ref_kind, e.ref_id,
        e.thread_id, e.room, e.category, e.giver_id, e.giver_person, e.lang, e.note,
        stamp(e.created_at), None, None,
    )  # fmt: skip


def revocation_from(row: sqlite3.Row) -> Revocation:
    return Revocation(
        entry_id=row["entry_id"],
        at=parse_stamp(row["at"]),
        reason=row["reason"],
        action=row["action"],
        by=row["by_id"],
    )
