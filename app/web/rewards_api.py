"""Rewards over HTTP: the public leaderboard and "how my points were computed" (visitors),
the contributor review for staff (filters, per-contributor detail, CSV, bonus, disqualify)
and staff endorsements of answers."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from quart import Blueprint, Response, g, jsonify, request
from quart_schema import validate_querystring, validate_request

import rewards as rw
from app.domain.errors import Conflict, NotFound
from app.domain.models import utcnow
from app.services.case_views import audit_view
from app.services.payloads import Payload
from app.services.review import ContributorReview
from app.web.deps import current_visitor, entity_id, services
from app.web.errors import optional_json
from app.web.staff_session import current_staff, me, staff_only
from rewards.leaderboard import BoardRow

bp = Blueprint("rewards_api", __name__, url_prefix="/api/v1")
Json = dict[str, Any]
CSV_COLUMNS: list[tuple[str, str]] = [
    ("rank", "Rang"), ("name", "Nom"), ("points", "Points"), ("rank_title", "Titre"),
    ("answers", "Réponses"), ("accepted", "Acceptées"), ("acceptance_rate", "Taux d'acceptation"),
    ("helpful_votes", "Votes utiles"), ("helpful_per_answer", "Votes utiles par réponse"),
    ("visitor_id", "Identifiant"),
]  # fmt: skip


class BoardQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: Annotated[str, StringConstraints(pattern=r"^(week|month|all)$")] = "all"
    room: Annotated[str, StringConstraints(max_length=100)] | None = None
    category: Annotated[str, StringConstraints(max_length=60)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50
    lang: Annotated[str, StringConstraints(pattern=r"^(fr|en)$")] | None = None


class LangQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lang: Annotated[str, StringConstraints(pattern=r"^(fr|en)$")] | None = None


class NoFields(Payload):
    """A write that takes no parameters: any field sent is refused rather than ignored."""


class Bonus(Payload):
    points: Annotated[int, Field(ge=1, le=500)]
    note: Annotated[str, StringConstraints(min_length=1, max_length=300)]


async def _names(rows: list[BoardRow]) -> dict[str, str]:
    return await services().contributors.names([row.visitor_id for row in rows])


@bp.get("/leaderboard")
@validate_querystring(BoardQuery)
async def leaderboard(query_args: BoardQuery) -> Json:
    """Top contributors for a period, globally or for one room or category."""
    rows = await services().rewards.top(
        query_args.period, room=query_args.room, category=query_args.category,
        limit=query_args.limit,
    )  # fmt: skip
    names = await _names(rows)
    # Titles and badges come from all-time stats, whatever the board's period.
    stats = await services().rewards.shown_stats([r.visitor_id for r in rows])
    return {
        "period": query_args.period,
        "entries": [
            {
                "rank": n,
                "points": r.points,
                "user": {
                    "id": r.visitor_id,
                    "name": names[r.visitor_id],
                    "rank": rw.rank_for(stats[r.visitor_id].points).code,
                    "badges": [b.code for b in rw.badges_for(stats[r.visitor_id])],
                },
            }
            for n, r in enumerate(rows, start=1)
        ],
    }


async def _may_read_ledger(visitor_id: str) -> bool:
    """The visitor themselves (their Bearer token; a token that is not valid is 401) and
    signed-in staff read the whole ledger; anyone else reads the public profile."""
    if request.headers.get("Authorization"):
        return (await current_visitor()).id == visitor_id
    return await current_staff() is not None


@bp.get("/visitors/<visitor_id>/points")
@validate_querystring(LangQuery)
async def points(visitor_id: str, query_args: LangQuery) -> Response:
    """A contributor's score: public profile (name, total, rank, badges, standings) for
    anyone; with the ledger behind it, grouped by reason with the rule that applied (staff
    notes, rooms, times), for the contributor's own token and for staff only."""
    visitor_id = entity_id(visitor_id, "contributor")
    visitor = await services().contributors.visitor(visitor_id)
    full = await _may_read_ledger(visitor_id)
    lang = query_args.lang or g.locale
    said: rw.Lang = "fr" if lang == "fr" else "en"
    explained = await services().rewards.explain(visitor_id, lang)
    total = int(explained.get("total", 0))  # type: ignore[call-overload]
    rank = rw.rank_for(total)
    stats = await services().contributors.stats(visitor_id)
    body = {
        **(explained if full else {}),
        "visitor_id": visitor_id,
        "name": visitor.name,
        "lang": said,
        "total": total,
        "rank": {"code": rank.code, "label": rank.label(said)},
        "badges": [
            {"code": b.code, "label": b.label(said), "description": b.description(said)}
            for b in rw.badges_for(stats)
        ],
        "standings": await services().rewards.standings(visitor_id),
    }
    response = jsonify(body)
    # The same URL answers differently by who asks: never from a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Vary"] = "Authorization, Cookie"
    return response


# staff -----------------------------------------------------------------------------------
async def _contributor_rows(query: BoardQuery) -> list[dict[str, Any]]:
    """The board with each contributor's numbers: two grouped reads for the whole page (counts
    per reason, all-time points), never a contributor's whole ledger."""
    svc = services()
    rows = await svc.rewards.top(
        query.period, room=query.room, category=query.category, limit=query.limit
    )
    names = await _names(rows)
    ids = [row.visitor_id for row in rows]
    counts, totals = await svc.contributors.numbers(ids)
    lang: rw.Lang = "en" if (query.lang or g.locale) == "en" else "fr"
    out = []
    for n, row in enumerate(rows, start=1):
        mine = counts.get(row.visitor_id, {})
        answers = mine.get(rw.Reason.ANSWER.value, 0)
        accepted = mine.get(rw.Reason.ACCEPTED.value, 0)
        helpful = mine.get(rw.Reason.HELPFUL_VOTE.value, 0)
        rank = rw.rank_for(totals.get(row.visitor_id, 0))  # titles come from all-time points
        out.append({
            "rank": n, "visitor_id": row.visitor_id, "name": names[row.visitor_id],
            "points": row.points, "rank_code": rank.code, "rank_title": rank.label(lang),
            "answers": answers, "accepted": accepted,
            "acceptance_rate": _ratio(accepted, answers, 3),
            "helpful_votes": helpful, "helpful_per_answer": _ratio(helpful, answers, 2),
        })  # fmt: skip
    return out


@bp.get("/staff/contributors")
@staff_only()
@validate_querystring(BoardQuery)
async def contributors(query_args: BoardQuery) -> Json:
    """The leaderboard with each contributor's numbers, for brand staff; `disqualified`
    lists those left off every board, so they can be found and reinstated."""
    left_out = [{"id": i, "name": name} for i, name in await services().contributors.disqualified()]
    return {"contributors": await _contributor_rows(query_args), "disqualified": left_out}


@bp.get("/staff/contributors.csv")
@staff_only()
@validate_querystring(BoardQuery)
async def contributors_csv(query_args: BoardQuery) -> Response:
    """The current view as a spreadsheet: UTF-8 with BOM, `;`-separated (French Excel)."""
    body = rw.to_csv(await _contributor_rows(query_args), CSV_COLUMNS)
    stamp = utcnow().strftime("%Y%m%d")
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="contributeurs-{query_args.period}-{stamp}.csv"'
    )
    return response


def _ratio(part: int, whole: int, digits: int) -> float:
    return round(part / whole, digits) if whole else 0


def _timeline(entries: list[rw.LedgerEntry]) -> list[dict[str, Any]]:
    """Cumulative active points per day: the contributor's points-over-time chart."""
    days: dict[str, int] = {}
    for e in entries:
        if e.active:  # days of the shop's calendar, like the periods
            day = e.created_at.astimezone(rw.PARIS).date().isoformat()
            days[day] = days.get(day, 0) + e.points
    running, timeline = 0, []
    for day in sorted(days):
        running += days[day]
        timeline.append({"day": day, "points": running})
    return timeline


def _reports(review: ContributorReview) -> list[Json]:
    return [
        {
            "id": r.id,
            "at": r.at.isoformat(),
            "reason": r.reason,
            "message_id": r.message_id,
            "thread_id": r.thread_id,
            "case_id": r.case_id,
            "reporter": {"id": r.reporter_id, "name": review.reporter_names.get(r.reporter_id)},
        }
        for r in review.reports
    ]


def _audit_lines(review: ContributorReview) -> list[Json]:
    return [{"id": a.id, **audit_view(a)} for a in review.audit]


@bp.get("/staff/contributors/<visitor_id>")
@staff_only()
async def contributor(visitor_id: str) -> Json:
    """One contributor: points by reason, numbers, points over time, recent answers, reports
    against them and the staff actions about them."""
    svc = services()
    detail = await svc.contributors.detail(entity_id(visitor_id, "contributor"))
    visitor, entries, review = detail.visitor, detail.entries, detail.review
    stats = rw.stats_for(entries, visitor.id)
    endorsed = rw.endorsed_answers(entries)  # their whole ledger is read already
    recent = [
        {
            "id": message.id,
            "thread_id": message.thread_id,
            "body": message.body[:280],
            "created_at": message.created_at.isoformat(),
            "votes": message.votes,
            "hidden": message.hidden,
            "endorsed": message.id in endorsed,
        }
        for message in detail.recent_answers
    ]
    banned = visitor.banned_until.isoformat() if visitor.banned_until else None
    return {
        "contributor": {
            "id": visitor.id,
            "name": visitor.name,
            "banned_until": banned,
            "disqualified": detail.disqualified,
            "erased": visitor.erased_at is not None,
        },
        "stats": {
            "points": stats.points,
            "answers": stats.answers,
            "accepted": stats.accepted,
            "acceptance_rate": _ratio(stats.accepted, stats.answers, 3),
            "helpful_votes": stats.helpful_votes,
            "helpful_per_answer": _ratio(stats.helpful_votes, stats.answers, 2),
            "median_first_answer_seconds": review.median_first_answer_seconds,
            "first_answers_measured": review.first_answers_measured,
            "hidden_content": review.hidden_content,
            "reports_against": review.reports_count,
        },
        "badges": [b.code for b in rw.badges_for(stats)],
        "by_reason": (await svc.rewards.explain(visitor.id, g.locale)).get("groups", []),
        "timeline": _timeline(entries),
        "recent_answers": recent,
        "reports": _reports(review),
        "audit": _audit_lines(review),
    }


async def _audit(action: str, visitor_id: str, detail: str) -> None:
    """About the contributor (`subject_id`), so their review lists it."""
    await services().contributors.record(me(), action, visitor_id, detail)


@bp.post("/staff/contributors/<visitor_id>/bonus")
@staff_only()
@validate_request(Bonus)
async def award_bonus(visitor_id: str, data: Bonus) -> Json:
    visitor_id = entity_id(visitor_id, "contributor")
    entry = await services().rewards.award_bonus(me(), visitor_id, data.points, data.note)
    await _audit("bonus", visitor_id, f"+{data.points}: {data.note}")
    return {"entry": {"id": entry.id, "points": entry.points, "note": entry.note}}


@bp.post("/staff/contributors/<visitor_id>/<action>")
@staff_only()
async def disqualify(visitor_id: str, action: str) -> Json:
    """disqualify (left off every leaderboard) or reinstate."""
    if action not in ("disqualify", "reinstate"):
        raise NotFound(f"no such action {action!r}")
    visitor_id = entity_id(visitor_id, "contributor")
    await services().rewards.set_disqualified(me(), visitor_id, action == "disqualify")
    await _audit(action, visitor_id, "")
    return {"ok": True, "disqualified": action == "disqualify"}


@bp.post("/staff/answers/<message_id>/endorse")
@staff_only()
async def endorse(message_id: str) -> Json:
    """Brand staff endorse a public answer: its author earns the endorsement points once."""
    message_id = entity_id(message_id, "answer")
    raw = await optional_json()
    NoFields.model_validate(raw if raw is not None else {})  # nothing to set: no points, no author
    entry = await services().rewards.endorse(me(), message_id)
    if entry is None:  # a concurrent endorsement of the same answer was stored first
        raise Conflict("already endorsed")
    await _audit("endorse", entry.visitor_id, f"+{entry.points}: {message_id}")
    return {"entry": {"id": entry.id, "points": entry.points}, "message_id": message_id}
