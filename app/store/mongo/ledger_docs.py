"""Ledger documents: how a `LedgerEntry` and a revocation record are stored in MongoDB
(shared by the ledger and the board totals)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from app.store.mongo.base import (
    Doc,
    check_date,
    check_int,
    check_opt_str,
    check_str,
    utc,
    utc_or_none,
)
from rewards.ledger import LedgerEntry, Revocation

ACTIVE_WITH_POINTS: Doc = {"revoked_at": None, "points": {"$gt": 0}}


def entry_doc(e: LedgerEntry) -> Doc:
    """A new document: the effective state starts clear; only revocation records set it."""
    return {
        "_id": check_str(e.id, "entry id"),
        "visitor_id": check_str(e.visitor_id, "visitor id"),
        "person": check_str(e.person, "person"),
        "points": check_int(e.points, "points"),
        "reason": e.reason.value,
        "rule": check_str(e.rule, "rule"),
        "ref_kind": check_str(e.ref_kind, "ref kind"),
        "ref_id": check_str(e.ref_id, "ref id"),
        "thread_id": check_opt_str(e.thread_id, "thread id"),
        "room": check_opt_str(e.room, "room"),
        "category": check_opt_str(e.category, "category"),
        "giver_id": check_opt_str(e.giver_id, "giver id"),
        "giver_person": check_opt_str(e.giver_person, "giver person"),
        "lang": check_opt_str(e.lang, "lang"),
        "note": check_opt_str(e.note, "note"),
        "created_at": check_date(e.created_at, "created_at"),
        "revoked_at": None,
        "revoked_reason": None,
        "revocations_seen": 0,
    }


def cleared(e: LedgerEntry) -> LedgerEntry:
    return replace(e, revoked_at=None, revoked_reason=None)


def entry_from(doc: Mapping[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        id=doc["_id"],
        visitor_id=doc["visitor_id"],
        person=doc["person"],
        points=doc["points"],
        reason=doc["reason"],
        rule=doc["rule"],
        ref_kind=doc["ref_kind"],
        ref_id=doc["ref_id"],
        thread_id=doc.get("thread_id"),
        room=doc.get("room"),
        category=doc.get("category"),
        giver_id=doc.get("giver_id"),
        giver_person=doc.get("giver_person"),
        lang=doc.get("lang"),
        note=doc.get("note"),
        created_at=utc(doc["created_at"]),
        revoked_at=utc_or_none(doc.get("revoked_at")),
        revoked_reason=doc.get("revoked_reason"),
    )


def revocation_from(doc: Mapping[str, Any]) -> Revocation:
    return Revocation(
        entry_id=doc["entry_id"],
        at=utc(doc["at"]),
        reason=doc["reason"],
        action=doc["action"],
        by=doc.get("by"),
    )
