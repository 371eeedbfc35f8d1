"""Staff sessions: the signed session cookie, CSRF tokens, and the access guard.

CSRF: a random token lives in the session; every staff write must echo it in the
`X-CSRF-Token` header (JSON API) or a `csrf_token` form field, compared in constant time.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from quart import g, request, session

from app.domain.errors import Forbidden, Unauthorized
from app.domain.staff import Role, Staff
from app.web.deps import services

F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
SESSION_STAFF = "staff_id"
SESSION_EPOCH = "epoch"  # the account's session_epoch at sign-in; sign-out bumps it
SESSION_CSRF = "csrf"


def csrf_token() -> str:
    token = session.get(SESSION_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[SESSION_CSRF] = token
    return token


async def check_csrf() -> None:
    expected = session.get(SESSION_CSRF)
    sent = request.headers.get("X-CSRF-Token")
    if sent is None and request.mimetype in (
        "application/x-www-form-urlencoded", "multipart/form-data"
    ):  # fmt: skip
        sent = (await request.form).get("csrf_token")
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(expected, sent):
        raise Forbidden("missing or wrong CSRF token; reload the page")


def sign_in(staff: Staff) -> str:
    """A fresh session (no fixation) for this staff member; returns its CSRF token."""
    session.clear()
    session.permanent = True
    session[SESSION_STAFF] = staff.id
    session[SESSION_EPOCH] = staff.session_epoch
    return csrf_token()


async def sign_out() -> None:
    """End the session on the server (every copy of this cookie), then in the browser."""
    staff = await current_staff()
    if staff is not None:
        await services().staff.sign_out(staff)
    session.clear()


async def current_staff() -> Staff | None:
    """The signed-in staff member, or None (no session, or one ended by a sign-out)."""
    return await services().staff.from_session(
        session.get(SESSION_STAFF), session.get(SESSION_EPOCH)
    )


def staff_only(*, admin: bool = False) -> Callable[[F], F]:
    """Guard a staff view: signed in (401), admin if asked (403), CSRF on writes (403)."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        async def guarded(*args: Any, **kwargs: Any) -> Any:
            staff = await current_staff()
            if staff is None:
                raise Unauthorized("sign in on the staff console first")
            if admin and staff.role is not Role.ADMIN:
                raise Forbidden("only an admin may do this")
            if request.method not in ("GET", "HEAD", "OPTIONS"):
                await check_csrf()
            g.staff = staff
            return await view(*args, **kwargs)

        return cast(F, guarded)

    return decorate


def me() -> Staff:
    return cast(Staff, g.staff)
