"""The weekly digest page for staff: the same HTML the sweeper writes on Mondays (and the
e-mail will carry), for any week."""

from __future__ import annotations

from quart import Blueprint, Response, g, redirect, request, url_for
from werkzeug.wrappers.response import Response as WerkzeugResponse

from app.web.deps import services
from app.web.staff_session import current_staff

bp = Blueprint("staff_digest", __name__, url_prefix="/staff")
# Inline styles only (an e-mail body), no script.
CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


@bp.get("/insights/digest")
async def digest_page() -> Response | WerkzeugResponse:
    """`?week=YYYY-Www` (default: the last complete week); `invalid` for a malformed week."""
    if await current_staff() is None:
        return redirect(url_for("staff_pages.login_page"))
    _, html = await services().digests.render(request.args.get("week"), g.locale)
    response = Response(html)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    return response
