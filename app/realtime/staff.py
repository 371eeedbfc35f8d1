"""The `/staff` namespace: staff consoles hear every case change live.

Only a valid staff session cookie connects (the same signed cookie as the console pages);
a visitor token, no cookie, a forged one or one whose session was ended by a sign-out is
refused at connect.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

import socketio
from quart import Quart
from quart.sessions import SecureCookieSessionInterface

from app.realtime import names
from app.services.staff_auth import StaffAccounts
from app.web.staff_session import SESSION_EPOCH, SESSION_STAFF


class StaffNamespace(socketio.AsyncNamespace):  # type: ignore[misc]
    def __init__(self, quart: Quart, accounts: StaffAccounts) -> None:
        super().__init__(names.STAFF_NAMESPACE)
        self.quart = quart
        self.accounts = accounts
        accounts.when_signed_out(self._close_sockets_of)

    def _session(self, environ: dict[str, Any]) -> dict[str, Any]:
        interface = SecureCookieSessionInterface()
        serializer = interface.get_signing_serializer(self.quart)
        cookie = SimpleCookie()
        try:
            cookie.load(environ.get("HTTP_COOKIE", ""))
        except Exception:
            return {}
        morsel = cookie.get(interface.get_cookie_name(self.quart))
        if serializer is None or morsel is None:
            return {}
        max_age = int(self.quart.permanent_session_lifetime.total_seconds())
        try:
            data = serializer.loads(morsel.value, max_age=max_age)
        except Exception:
            return {}
        return data if isinstance(data, dict) else {}

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        session = self._session(environ)
        staff = await self.accounts.from_session(
            session.get(SESSION_STAFF), session.get(SESSION_EPOCH)
        )
        if staff is None:
            raise socketio.exceptions.ConnectionRefusedError("staff sign-in required")
        await self.save_session(sid, {"staff_id": staff.id})
        await self.enter_room(sid, names.STAFF_CHANNEL)
        await self.enter_room(sid, names.staff_member_channel(staff.id))

    async def _close_sockets_of(self, staff_id: str) -> None:
        """A sign-out ends the sessions; the sockets they opened on this process close too.
        (Sockets held by other processes end when they next reconnect: the connect check
        refuses them.)"""
        room = names.staff_member_channel(staff_id)
        for sid, _ in list(self.server.manager.get_participants(self.namespace, room)):
            await self.disconnect(sid)
