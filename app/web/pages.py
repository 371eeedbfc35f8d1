"""HTML pages: the widget's panel (loaded in an iframe), the demo shop and the API docs."""

from __future__ import annotations

import asyncio
import re
from types import TracebackType
from typing import Any

from quart import (
    Blueprint,
    Response,
    abort,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from quart.wrappers.response import FileBody
from werkzeug.wrappers.response import Response as WerkzeugResponse

import rewards as rw
from app import demo
from app.resources import VENDOR_DIR
from app.services.mail import CONSENT_TEXT
from app.web.deps import services

bp = Blueprint("pages", __name__)
# Browser libraries installed from npm and copied into the package by the set-up command
# (bin/setup), served as our own static files.
VENDOR = {name: VENDOR_DIR / name for name in ("socket.io.min.js", "chart.umd.min.js")}


class ClosingFileBody(FileBody):
    """A file body (static files, vendor scripts) whose file is always closed.

    Quart opens and closes the file in worker threads; a browser that navigates away while a
    page's scripts load cancels the request task, and a cancelled open (or close) left the
    file open: a ResourceWarning per aborted request, and pages now load a dozen ES modules.
    Opening, seeking and closing a local file are quick system calls, done here directly, so
    no cancellation can come between them; reads stay in a worker thread.
    """

    async def __aenter__(self) -> ClosingFileBody:
        self._raw = self.file_path.open("rb")
        self._raw.seek(self.begin)
        self._position = self.begin
        return self

    async def __aexit__(self, exc_type: type, exc_value: BaseException, tb: TracebackType) -> None:
        self._raw.close()

    async def __anext__(self) -> bytes:
        size = min(self.buffer_size, self.end - self._position)
        chunk = await asyncio.to_thread(self._raw.read, size) if size > 0 else b""
        if not chunk:
            raise StopAsyncIteration()
        self._position += len(chunk)
        return chunk


class ClosingResponse(Response):
    """The app's response class: files (static, vendor) are sent with ClosingFileBody."""

    file_body_class = ClosingFileBody


_THREAD_ID = re.compile(r"[0-9a-f]{16}")
_INVITE = re.compile(r"[A-Za-z0-9._-]{1,2000}")


def _frame_ancestors() -> str:
    origins = services().settings.allowed_origins
    return "*" if "*" in origins else " ".join(("'self'", *origins))


@bp.get("/widget/panel")
async def panel() -> Response:
    """The Q&A room shown inside the widget's iframe on a shop's page."""
    args = request.args
    product = {
        "key": args.get("product", "")[:100],
        "title": args.get("title", "")[:200],
        "url": args.get("url", "")[:500],
        "category": args.get("category", "")[:60],
    }
    shopper = args.get("shopper", "")[:300] or None  # verified by POST /api/v1/visitors
    # A link from an e-mail: open this thread (a thread id, or nothing).
    thread = args.get("thread", "")
    invite = args.get("invite", "")  # an owner's invitation, spent when they post
    html = await render_template(
        "panel.html",
        product=product,
        lang=g.locale,
        body_max=services().settings.max_body_chars,
        shopper=shopper,
        open_thread=thread if _THREAD_ID.fullmatch(thread) else None,
        invite=invite if _INVITE.fullmatch(invite) else None,
        mail=services().mail.available,
        consent_text=CONSENT_TEXT["en" if g.locale == "en" else "fr"],
        badges={b.code: b.label("en" if g.locale == "en" else "fr") for b in rw.DEFAULT_BADGES},
    )
    response = Response(html)
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; img-src 'self' data:; style-src 'self'; "
        f"connect-src 'self'; frame-ancestors {_frame_ancestors()}"
    )
    return response


@bp.get("/privacy")
async def privacy() -> Response:
    """The privacy notice the widget links to (French or English)."""
    settings = services().settings
    html = await render_template("privacy.html", lang=g.locale,
                                 private_days=settings.private_retention_days,
                                 public_days=settings.retention_days)  # fmt: skip
    response = Response(html)
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self';"
        " frame-ancestors 'none'"
    )
    return response


@bp.get("/")
async def home() -> WerkzeugResponse:
    return redirect(url_for("pages.demo_index"))


@bp.get("/demo")
async def demo_index() -> str:
    return await render_template("demo/index.html", products=_demo_products(), lang=g.locale)


@bp.get("/demo/<key>")
async def demo_product(key: str) -> str:
    product = demo.product(key)
    if product is None:
        abort(404)
    return await render_template("demo/product.html", product=_with_url(product), lang=g.locale)


def _with_url(product: dict[str, Any]) -> dict[str, Any]:
    return {**product, "url": url_for("pages.demo_product", key=product["key"], _external=True)}


def _demo_products() -> list[dict[str, Any]]:
    return [_with_url(p) for p in demo.PRODUCTS]


@bp.get("/static/vendor/<name>")
async def vendor(name: str) -> Response:
    """Browser libraries from npm (Socket.IO client, Chart.js): never from a CDN."""
    path = VENDOR.get(name)
    if path is None or not path.exists():
        abort(404)
    response = await send_file(path, mimetype="text/javascript")
    response.cache_control.max_age = 86_400
    return response


@bp.get("/favicon.ico")
async def favicon() -> Response:
    """No icon yet: answer quietly instead of a 404 in every browser console."""
    return Response(status=204)


@bp.get("/api/docs")
async def api_docs() -> str:
    """A readable index of the OpenAPI document, served without any CDN script."""
    return await render_template("api_docs.html")
