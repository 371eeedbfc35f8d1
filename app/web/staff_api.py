"""Staff JSON API (protocol "Staff side"): sign-in, the case queue and its actions,
message moderation, bans, detector precision, staff accounts (admin)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from quart import Blueprint, Response, request
from quart_schema import validate_querystring, validate_request

from app.domain.errors import NotFound
from app.domain.models import MessageKind
from app.services.case_views import audit_view, case_view, staff_thread_view
from app.services.knowledge import faq_view
from app.services.payloads import Payload
from app.services.views import failed_mail_view, mail_stats_view, message_view, thread_view
from app.web.deps import entity_id, services
from app.web.errors import optional_json
from app.web.staff_session import csrf_token, me, sign_in, sign_out, staff_only
from insights.kpis import Query
from moderation import SIGNAL_CODES
from moderation.cases import ACTIONS, OUTCOMES, CaseState

bp = Blueprint("staff_api", __name__, url_prefix="/api/v1/staff")
Json = dict[str, Any]
Text = Annotated[str, StringConstraints(max_length=1024)]


class SignIn(Payload):
    email: Text
    password: Text


class CaseAction(Payload):
    body: Annotated[str, StringConstraints(max_length=20_000)] | None = None
    private: bool = False
    outcome: Literal[OUTCOMES] | None = None  # type: ignore[valid-type]
    code: Literal[tuple(sorted(SIGNAL_CODES))] | None = None  # type: ignore[valid-type]
    verdict: Literal["confirm", "dismiss"] | None = None


class Ban(Payload):
    days: Annotated[int, Field(ge=1, le=365)]
    reason: Annotated[str, StringConstraints(min_length=1, max_length=300)]


class NewStaff(Payload):
    email: Text
    password: Text
    role: Literal["moderator", "admin"]
    name: Annotated[str, StringConstraints(max_length=60)] = ""


class CasesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: CaseState | None = None
    reason: Literal[tuple(sorted(SIGNAL_CODES))] | None = None  # type: ignore[valid-type]
    room: Annotated[str, StringConstraints(max_length=100)] | None = None
    category: Annotated[str, StringConstraints(max_length=60)] | None = None


class InsightsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    from_: Annotated[str, StringConstraints(max_length=10)] | None = Field(None, alias="from")
    to: Annotated[str, StringConstraints(max_length=10)] | None = None
    room: Annotated[str, StringConstraints(max_length=100)] | None = None
    category: Annotated[str, StringConstraints(max_length=60)] | None = None


def _insights_query(args: InsightsQuery) -> Query:
    return services().insights.query(args.from_, args.to, args.room, args.category)


@bp.post("/login")
@validate_request(SignIn)
async def login(data: SignIn) -> Json:
    """Sign in: sets the session cookie and returns the CSRF token for later writes."""
    svc = services()
    await svc.limits.check_sign_in(request.remote_addr or "unknown")
    staff = await svc.staff.sign_in(data.email, data.password)
    return {"staff": staff.public(), "csrf_token": sign_in(staff)}


@bp.post("/logout")
@staff_only()
async def logout() -> Json:
    """Ends the session on the server: a copy of the cookie is refused from now on."""
    await sign_out()
    return {"ok": True}


@bp.get("/me")
@staff_only()
async def whoami() -> Json:
    return {"staff": me().public(), "csrf_token": csrf_token()}


@bp.get("/cases")
@staff_only()
@validate_querystring(CasesQuery)
async def list_cases(query_args: CasesQuery) -> Json:
    """The queue, highest priority first then nearest deadline (default: open + claimed)."""
    states = [query_args.state] if query_args.state else [CaseState.OPEN, CaseState.CLAIMED]
    rows = await services().casework.queue(
        states=states, reason=query_args.reason, room=query_args.room,
        category=query_args.category,
    )  # fmt: skip
    staff = me()
    return {"cases": [case_view(case, thread, staff) for case, thread in rows]}


@bp.get("/cases/<case_id>")
@staff_only()
async def get_case(case_id: str) -> Json:
    """One case with its whole thread (private and held messages too, answers marked
    `endorsed`) and audit log."""
    svc = services()
    detail = await svc.casework.detail(entity_id(case_id, "case"))
    answers = [m.id for m in detail.messages if m.kind is MessageKind.ANSWER]
    endorsed = await svc.contributors.endorsed(answers)
    knowledge = svc.knowledge
    faq = await knowledge.thread_faq(detail.thread.id)
    return {
        "case": case_view(detail.case, detail.thread, me()),
        "thread": staff_thread_view(detail.thread, detail.messages, endorsed),
        "audit": [audit_view(e) for e in detail.audit],
        "faq": faq,
        "suggestions": await knowledge.suggestions(detail.thread),
    }


@bp.post("/cases/<case_id>/<action>")
@staff_only()
async def act_on_case(case_id: str, action: str) -> Json:
    """claim, takeover, private, reply {body, private}, handback, resolve {outcome},
    dismiss, feedback {code, verdict}; `release` publishes a held question."""
    casework = services().casework
    case_id = entity_id(case_id, "case")
    if action == "release":
        await casework.release_question(me(), case_id)
    else:
        if action not in ACTIONS:
            raise NotFound(f"no such action {action!r}")
        raw = await optional_json()
        params = CaseAction.model_validate(raw if raw is not None else {}).model_dump()
        await casework.act(me(), case_id, action, params)
    detail = await casework.detail(case_id)
    return {"case": case_view(detail.case, detail.thread, me())}


@bp.post("/messages/<message_id>/<action>")
@staff_only()
async def moderate_message(message_id: str, action: str) -> Json:
    """hide or restore a message (restoring a held message publishes it)."""
    if action not in ("hide", "restore"):
        raise NotFound(f"no such action {action!r}")
    message = await services().casework.set_hidden(
        me(), entity_id(message_id, "message"), action == "hide"
    )
    return {"message": message_view(message)}


@bp.post("/threads/<thread_id>/faq")
@staff_only()
async def promote_to_faq(thread_id: str) -> tuple[Json, int]:
    """Put a resolved question in its product's FAQ (`question`, `answer`: optional edited
    texts); again edits the entry. 201 when created, 200 when edited."""
    entry, created = await services().knowledge.promote(
        me(), entity_id(thread_id, "question"), await optional_json()
    )
    return {"faq": faq_view(entry)}, 201 if created else 200


@bp.delete("/faq/<faq_id>")
@staff_only()
async def remove_from_faq(faq_id: str) -> tuple[str, int]:
    await services().knowledge.remove(me(), entity_id(faq_id, "FAQ entry"))
    return "", 204


@bp.post("/threads/<thread_id>/<action>")
@staff_only()
async def moderate_thread(thread_id: str, action: str) -> Json:
    """hide a published question (gone from the room, replay and search; its points taken
    back) or restore it."""
    if action not in ("hide", "restore"):
        raise NotFound(f"no such action {action!r}")
    thread = await services().casework.set_thread_hidden(
        me(), entity_id(thread_id, "question"), action == "hide"
    )
    return {"thread": thread_view(thread)}


@bp.post("/visitors/<visitor_id>/ban")
@staff_only()
@validate_request(Ban)
async def ban(visitor_id: str, data: Ban) -> Json:
    visitor = await services().casework.ban(
        me(), entity_id(visitor_id, "visitor"), data.days, data.reason
    )
    assert visitor.banned_until is not None
    return {"visitor": {"id": visitor.id, "banned_until": visitor.banned_until.isoformat()}}


@bp.post("/visitors/<visitor_id>/unban")
@staff_only()
async def unban(visitor_id: str) -> Json:
    visitor = await services().casework.ban(me(), entity_id(visitor_id, "visitor"), None, "")
    return {"visitor": {"id": visitor.id, "banned_until": None}}


@bp.get("/detectors")
@staff_only(admin=True)
async def detectors() -> Json:
    """How often moderators confirmed each detector's reasons, and the learned model in use
    with its scores on the corpus' held-out test part (admin)."""
    rows = await services().casework.detector_precision(me())
    return {
        "model": await services().casework.detector_model(me()),
        "detectors": [
            {
                "code": r.code,
                "confirmed": r.confirmed,
                "dismissed": r.dismissed,
                "precision": r.precision,
            }
            for r in rows
        ],
    }


@bp.post("/accounts")
@staff_only(admin=True)
@validate_request(NewStaff)
async def create_account(data: NewStaff) -> tuple[Json, int]:
    """An admin adds a moderator or another admin."""
    staff = await services().staff.create(
        email=data.email, password=data.password, role=data.role, name=data.name
    )
    return {"staff": staff.public()}, 201


@bp.get("/insights")
@staff_only()
@validate_querystring(InsightsQuery)
async def insights(query_args: InsightsQuery) -> Json:
    """KPIs of a period (default: the last 30 days), per day and per product, with topics
    and weak signals; every ratio with its definition (`definitions`)."""
    return await services().insights.report(_insights_query(query_args))


@bp.get("/insights.csv")
@staff_only()
@validate_querystring(InsightsQuery)
async def insights_csv(query_args: InsightsQuery) -> Response:
    """The same period as one CSV row per day (UTF-8 with BOM, `;`)."""
    query = _insights_query(query_args)
    body = await services().insights.csv(query)
    name = f"entraide-insights-{query.start}-{query.end}.csv"
    return Response(body, content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@bp.get("/visitors/<visitor_id>/export")
@staff_only()
async def export_visitor(visitor_id: str) -> Json:
    """A visitor's data, for a request made to the shop's customer service (audited)."""
    return await services().privacy.export(entity_id(visitor_id, "visitor"), me())


@bp.post("/visitors/<visitor_id>/erase")
@staff_only()
async def erase_visitor(visitor_id: str) -> Json:
    """Erase a visitor everywhere on their request (audited)."""
    await services().privacy.erase(entity_id(visitor_id, "visitor"), me())
    return {"ok": True}


class DigestChoice(Payload):
    lang: Literal["fr", "en"] | None


@bp.put("/me/digest")
@staff_only()
@validate_request(DigestChoice)
async def digest_choice(data: DigestChoice) -> Json:
    """The weekly digest by e-mail, every Monday, in `lang` (null: no more)."""
    await services().mail.set_digest(me(), data.lang)
    return {"digest_lang": data.lang}


@bp.get("/mail")
@staff_only()
async def mail_status() -> Json:
    """The e-mail queue: pending, given up on (with the reason), sent in the last day."""
    mail = services().mail
    if not mail.available:
        return {"available": False}
    return {"available": True, **mail_stats_view(await mail.stats()),
            "failures": [failed_mail_view(m) for m in await mail.failed(20)]}  # fmt: skip
