"""E-mail over HTTP: the visitor's address (`/api/v1/visitors/me/email`, Bearer), and the
pages links in e-mails open: confirming an address, and unsubscribing (a page with a button
for people, and RFC 8058 one-click POST for mail clients)."""

from __future__ import annotations

import json
from typing import Any

from quart import Blueprint, Response, g, render_template, request

from app.domain.errors import Invalid, Unavailable
from app.domain.mail import EmailAddress
from app.services.mail import CONSENT_TEXT
from app.web.deps import current_visitor, json_object, services

bp = Blueprint("mail", __name__)
CSP = "default-src 'none'; style-src 'self'; form-action 'self'; frame-ancestors 'none'"
Json = dict[str, Any]


def address_view(address: EmailAddress | None) -> Json:
    if address is None:
        return {"email": None, "confirmed": False}
    return {"email": address.email, "confirmed": address.confirmed, "lang": address.lang}


@bp.get("/api/v1/visitors/me/email")
async def my_email() -> Json:
    """The visitor's address and whether it is confirmed; whether this shop sends e-mail,
    and the consent text to show (`lang`)."""
    visitor = await current_visitor()
    mail = services().mail
    lang = "en" if request.args.get("lang") == "en" else "fr"
    return {**address_view(await mail.address(visitor)), "available": mail.available,
            "consent_text": CONSENT_TEXT[lang]}  # fmt: skip


@bp.post("/api/v1/visitors/me/email")
async def subscribe() -> tuple[Json, int]:
    """ "E-mail me when someone answers": `{"email", "lang"}`. A confirmation e-mail goes out
    (202); nothing else is sent to the address before it is confirmed."""
    visitor = await current_visitor()
    address = await services().mail.subscribe(visitor, await json_object())
    return address_view(address), 202


@bp.delete("/api/v1/visitors/me/email")
async def unsubscribe_me() -> tuple[str, int]:
    """Forget the address: consent withdrawn, no more e-mail."""
    await services().mail.forget(await current_visitor())
    return "", 204


async def _page(template: str, status: int = 200, **context: Any) -> Response:
    html = await render_template(f"mail/{template}", lang=g.locale, **context)
    response = Response(html, status=status)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token stays here
    return response


@bp.get("/api/v1/visitors/me/export")
async def export_me() -> Response:
    """Every piece of data held about the visitor, as a JSON download."""
    visitor = await current_visitor()
    body = json.dumps(await services().privacy.export(visitor.id), ensure_ascii=False, indent=2)
    return Response(body, content_type="application/json; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="entraide-{visitor.id}.json"',
        "Cache-Control": "no-store",
    })  # fmt: skip


@bp.delete("/api/v1/visitors/me")
async def erase_me() -> tuple[str, int]:
    """Erase the visitor everywhere; their token stops working."""
    await services().privacy.erase((await current_visitor()).id)
    return "", 204


@bp.get("/mail/confirm")
async def confirm() -> Response:
    try:
        address = await services().mail.confirm(request.args.get("token"))
    except (Invalid, Unavailable) as exc:
        return await _page("confirm.html", 400, error=exc.message)
    return await _page("confirm.html", email=address.email)


@bp.get("/mail/unsubscribe")
async def unsubscribe_page() -> Response:
    """A page with a button: link checkers that follow GET links must not unsubscribe."""
    token = request.args.get("token", "")
    try:
        _, kind = services().mail.read_unsubscribe(token)
    except (Invalid, Unavailable) as exc:
        return await _page("unsubscribe.html", 400, error=exc.message)
    return await _page("unsubscribe.html", token=token, kind=kind.value)


@bp.post("/mail/unsubscribe")
async def unsubscribe() -> Response:
    """RFC 8058 one-click (body `List-Unsubscribe=One-Click`) and the page's button."""
    try:
        await services().mail.unsubscribe(request.args.get("token"))
    except (Invalid, Unavailable) as exc:
        return await _page("unsubscribe.html", 400, error=exc.message)
    return await _page("unsubscribe.html", done=True)
