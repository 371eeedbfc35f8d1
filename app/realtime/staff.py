"""The `/staff` namespace: staff consoles hear every case change live.

Only a valid staff session cookie connects (the same signed cookie as the console pages);
a visitor token, no cookie or a forged one is refused at connect.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

import socketio
from quart import Quart
from quart.sessions import SecureCookieSessionInterface

from app.realtime import names
from app.services.staff_auth import StaffAccounts
from app.web.staff_session import SESSION_STAFF


class StaffNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    def __init__(self, quart: Quart, accounts: StaffAccounts) -> None:
        super().__init__(names.STAFF_NAMESPACE)
        self.quart = quart
        self.accounts = accounts

    def _staff_id(self, environ: dict[str, Any]) -> str | None:
        interface = SecureCookieSessionInterface()
        serializer = interface.get_signing_serializer(self.quart)
        cookie = SimpleCookie()
        try:
            cookie.load(environ.get("HTTP_COOKIE", ""))
        except Exception:
            return None
        morsel = cookie.get(interface.get_cookie_name(self.quart))
        if serializer is None or morsel is None:
            return None
        max_age = int(self.quart.permanent_session_lifetime.total_seconds())
        try:
            data = serializer.loads(morsel.value, max_age=max_age)
        except Exception:
            return None
        staff_id = data.get(SESSION_STAFF) if isinstance(data, dict) else None
        return staff_id if isinstance(staff_id, str) else None

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        staff = await self.accounts.get(self._staff_id(environ))
        if staff is None:
            raise socketio.exceptions.ConnectionRefusedError("staff sign-in required")
        await self.save_session(sid, {"staff_id": staff.id})
        await self.enter_room(sid, names.STAFF_CHANNEL)
