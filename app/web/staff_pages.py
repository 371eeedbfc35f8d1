"""Staff console pages: sign-in form, the live queue, a case. The pages are shells; the
console's script talks to the staff JSON API and the `/staff` Socket.IO namespace."""

from __future__ import annotations

from quart import Blueprint, Response, g, redirect, render_template, request, url_for
from werkzeug.wrappers.response import Response as WerkzeugResponse

from app.domain.errors import RateLimited, Unauthorized
from app.web.deps import services
from app.web.staff_session import check_csrf, csrf_token, current_staff, sign_in, sign_out

bp = Blueprint("staff_pages", __name__, url_prefix="/staff")
CSP = "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
ERRORS = {
    "fr": {
        "wrong": "Adresse e-mail ou mot de passe incorrect.",
        "locked": "Trop de tentatives. Réessayez dans quelques minutes.",
        "csrf": "La page a expiré ; veuillez réessayer.",
    },
    "en": {
        "wrong": "Wrong e-mail or password.",
        "locked": "Too many attempts. Try again in a few minutes.",
        "csrf": "The page expired; please try again.",
    },
}


def _with_lang(url: str) -> str:
    """Keep an explicit `?lang=` across the sign-in and sign-out redirects."""
    return f"{url}?lang={g.locale}" if request.args.get("lang") else url


def _page(html: str, status: int = 200) -> Response:
    response = Response(html, status=status)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cache-Control"] = "no-store"
    return response


async def _login_form(error: str | None = None, email: str = "", status: int = 200) -> Response:
    html = await render_template(
        "staff/login.html", csrf_token=csrf_token(), error=error, email=email, lang=g.locale
    )
    return _page(html, status)


@bp.get("/login")
async def login_page() -> Response:
    return await _login_form()


@bp.post("/login")
async def login_submit() -> Response | WerkzeugResponse:
    texts = ERRORS.get(g.locale, ERRORS["en"])
    form = await request.form
    email = form.get("email", "")[:254]
    try:
        await check_csrf()
    except Exception:
        return await _login_form(texts["csrf"], email, 403)
    svc = services()
    try:
        await svc.limits.check_sign_in(request.remote_addr or "unknown")
        staff = await svc.staff.sign_in(email, form.get("password", ""))
    except Unauthorized:
        return await _login_form(texts["wrong"], email, 401)
    except RateLimited:
        return await _login_form(texts["locked"], email, 429)
    sign_in(staff)
    return redirect(_with_lang(url_for("staff_pages.console")))


@bp.post("/logout")
async def logout() -> WerkzeugResponse:
    await check_csrf()
    await sign_out()
    return redirect(_with_lang(url_for("staff_pages.login_page")))


@bp.get("")
async def console() -> Response | WerkzeugResponse:
    staff = await current_staff()
    if staff is None:
        return redirect(url_for("staff_pages.login_page"))
    html = await render_template(
        "staff/console.html", staff=staff.public(), csrf_token=csrf_token(), lang=g.locale
    )
    return _page(html)


@bp.get("/contributors")
async def contributors_page() -> Response | WerkzeugResponse:
    """Brand staff review their top contributors (leaderboards, detail, CSV, charts)."""
    staff = await current_staff()
    if staff is None:
        return redirect(url_for("staff_pages.login_page"))
    html = await render_template(
        "staff/contributors.html", staff=staff.public(), csrf_token=csrf_token(), lang=g.locale
    )
    return _page(html)


@bp.get("/insights")
async def insights_page() -> Response | WerkzeugResponse:
    """Brand staff read what the community brings them (KPIs, products, topics, CSV)."""
    staff = await current_staff()
    if staff is None:
        return redirect(url_for("staff_pages.login_page"))
    html = await render_template(
        "staff/insights.html",
        staff=staff.public(),
        csrf_token=csrf_token(),
        lang=g.locale,
        mail=services().mail.available,
    )
    return _page(html)


@bp.get("/cases/<case_id>")
async def case_page(case_id: str) -> Response | WerkzeugResponse:
    staff = await current_staff()
    if staff is None:
        return redirect(url_for("staff_pages.login_page"))
    html = await render_template(
        "staff/case.html",
        staff=staff.public(),
        csrf_token=csrf_token(),
        case_id=case_id[:16],
        lang=g.locale,
    )
    return _page(html)
