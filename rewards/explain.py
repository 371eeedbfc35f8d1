""" "How my points were computed": a contributor's ledger, grouped by reason, with the rules.

Each group carries the rule as currently configured (`rule_text`) and each entry a detail
line written from the parameter snapshot stored with it, so an entry earned under older
numbers is still explained with the numbers that applied. Revoked entries stay listed,
with why, but count in no total: contributors see what they lost, not just a smaller sum.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rewards.ledger import LedgerEntry, parse_snapshot
from rewards.rules import (
    DEFAULT_RULES,
    Lang,
    PointsRules,
    Reason,
    reason_label,
    revoke_reason_text,
    rule_text,
)


@dataclass(frozen=True, slots=True)
class ExplainedEntry:
    entry: LedgerEntry
    detail: str  # why this entry is worth what it is ("" when the rule says it all)
    revoked: str | None  # "revoked: content hidden by a moderator", or None


@dataclass(frozen=True, slots=True)
class ReasonGroup:
    reason: Reason
    label: str
    rule: str
    count: int  # active entries
    total: int  # active points
    revoked_count: int
    revoked_points: int
    entries: tuple[ExplainedEntry, ...]  # newest first, revoked ones included


@dataclass(frozen=True, slots=True)
class Explanation:
    visitor_id: str | None
    lang: Lang
    total: int
    groups: tuple[ReasonGroup, ...]

    def as_json(self) -> dict[str, Any]:
        """Plain JSON-ready data for `GET /api/v1/visitors/<id>/points`."""
        return {
            "visitor_id": self.visitor_id,
            "lang": self.lang,
            "total": self.total,
            "groups": [
                {
                    "reason": str(g.reason),
                    "label": g.label,
                    "rule": g.rule,
                    "count": g.count,
                    "total": g.total,
                    "revoked_count": g.revoked_count,
                    "revoked_points": g.revoked_points,
                    "entries": [_entry_json(x) for x in g.entries],
                }
                for g in self.groups
            ],
        }


def _entry_json(item: ExplainedEntry) -> dict[str, Any]:
    e = item.entry
    return {
        "id": e.id,
        "points": e.points,
        "rule": e.rule,
        "detail": item.detail,
        "ref_kind": e.ref_kind,
        "ref_id": e.ref_id,
        "thread_id": e.thread_id,
        "room": e.room,
        "created_at": e.created_at.isoformat().replace("+00:00", "Z"),
        "revoked": item.revoked,
        "revoked_at": e.revoked_at.isoformat().replace("+00:00", "Z") if e.revoked_at else None,
    }


def ordinal(n: int, lang: Lang) -> str:
    """1st, 2nd, 3rd, 11th, 21st / 1er, 2e, 3e."""
    if lang == "fr":
        return "1er" if n == 1 else f"{n}e"
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def _number(text: str, lang: Lang) -> str:
    return text.replace(".", ",") if lang == "fr" else text


def _thanks_detail(p: dict[str, str], lang: Lang) -> list[str]:
    fr = lang == "fr"
    parts = []
    nth = int(p.get("nth", "1"))
    if nth > 1 and {"value", "factor", "window_days"} <= p.keys():
        factor = _number(p["factor"], lang)
        if fr:
            parts.append(
                f"{ordinal(nth, lang)} de la même personne en {p['window_days']} jours : "
                f"{p['value']} × {factor}^{nth - 1}, arrondi à l'entier inférieur"
            )
        else:
            parts.append(
                f"{ordinal(nth, lang)} from the same person within {p['window_days']} days: "
                f"{p['value']} × {factor}^{nth - 1}, rounded down"
            )
    if p.get("capped") == "1":
        parts.append(
            f"limité par le plafond de {p.get('cap')} points par personne sur 24 heures"
            if fr
            else f"limited by the cap of {p.get('cap')} points per person per 24 hours"
        )
    if "voted_at" in p:
        day = p["voted_at"][:10]
        parts.append(
            f"vote du {day}, compté dès que son auteur a participé"
            if fr
            else f"vote cast on {day}, counted once the voter took part"
        )
    return parts


def entry_detail(entry: LedgerEntry, lang: Lang) -> str:
    """One line on why this entry is worth its points, from its rule snapshot."""
    _, p = parse_snapshot(entry.rule)
    fr = lang == "fr"
    parts: list[str] = []
    if entry.reason in (Reason.HELPFUL_VOTE, Reason.ACCEPTED):
        parts = _thanks_detail(p, lang)
    elif entry.reason == Reason.ANSWER and p.get("capped") == "1":
        parts.append(
            f"limité par le maximum de {p.get('cap')} points de réponses sur 24 heures"
            if fr
            else f"limited by the maximum of {p.get('cap')} answer points per 24 hours"
        )
    elif entry.reason == Reason.FAST_FIRST_ANSWER and {"waited_s", "within_min"} <= p.keys():
        minutes = int(p["waited_s"]) // 60
        parts.append(
            f"réponse en {minutes} min (limite {p['within_min']} min)"
            if fr
            else f"answered in {minutes} min (limit {p['within_min']} min)"
        )
    elif entry.reason == Reason.BONUS and entry.note:
        parts.append(entry.note)
    return "; ".join(parts)


def explain(
    entries: Iterable[LedgerEntry],
    rules: PointsRules = DEFAULT_RULES,
    lang: Lang = "en",
    *,
    visitor_id: str | None = None,
) -> Explanation:
    """Group `entries` (of `visitor_id` if given) by reason, in the order of `Reason`.

    Reasons with no entries are left out. Totals count active entries only.
    """
    mine = [e for e in entries if visitor_id is None or e.visitor_id == visitor_id]
    groups = []
    for reason in Reason:
        items = sorted(
            (e for e in mine if e.reason == reason),
            key=lambda e: (e.created_at, e.id),
            reverse=True,
        )
        if not items:
            continue
        live = [e for e in items if e.active]
        gone = [e for e in items if not e.active]
        explained = tuple(
            ExplainedEntry(
                e,
                entry_detail(e, lang),
                None
                if e.active or e.revoked_reason is None
                else ("annulé : " if lang == "fr" else "revoked: ")
                + revoke_reason_text(e.revoked_reason, lang),
            )
            for e in items
        )
        groups.append(
            ReasonGroup(
                reason=reason,
                label=reason_label(reason, lang),
                rule=rule_text(reason, rules, lang),
                count=len(live),
                total=sum(e.points for e in live),
                revoked_count=len(gone),
                revoked_points=sum(e.points for e in gone),
                entries=explained,
            )
        )
    return Explanation(
        visitor_id=visitor_id,
        lang=lang,
        total=sum(g.total for g in groups),
        groups=tuple(groups),
    )
