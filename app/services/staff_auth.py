"""Staff accounts: creation, sign-in with argon2 and backoff after repeated failures."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.domain.errors import Invalid, RateLimited, Unauthorized
from app.domain.models import new_id, utcnow
from app.domain.staff import Role, Staff
from app.store.port import StaffStore

MIN_PASSWORD = 12
_hasher = PasswordHasher()
# Verifying against a dummy hash when the e-mail is unknown keeps timing the same.
_DUMMY_HASH = _hasher.hash("entraide-dummy-password")


def normalise_email(raw: str) -> str:
    email = raw.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        raise Invalid("an e-mail address like name@shop.example is required")
    return email


def _verify(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def _locked_message(until: datetime | None, now: datetime) -> str:
    wait = max(1, int((until - now).total_seconds() // 60) + 1) if until else 1
    return f"too many failed attempts; try again in {wait} min"


SignedOut = Callable[[str], Awaitable[None]]


class StaffAccounts:
    def __init__(self, store: StaffStore) -> None:
        self._store = store
        self._signed_out: list[SignedOut] = []

    def when_signed_out(self, listener: SignedOut) -> None:
        """Call `listener(staff_id)` after an account signs out (the `/staff` namespace
        closes that account's live sockets)."""
        self._signed_out.append(listener)

    async def create(self, *, email: str, password: str, role: str, name: str = "") -> Staff:
        try:
            staff_role = Role(role)
        except ValueError:
            raise Invalid("role must be moderator or admin") from None
        if len(password) < MIN_PASSWORD:
            raise Invalid(f"a staff password has at least {MIN_PASSWORD} characters")
        address = normalise_email(email)
        staff = Staff(
            id=new_id(),
            email=address,
            name=name.strip()[:60] or address.partition("@")[0],
            role=staff_role,
            password_hash=_hasher.hash(password),
            created_at=utcnow(),
        )
        await self._store.add_staff(staff)
        return staff

    async def sign_in(self, email: Any, password: Any, now: datetime | None = None) -> Staff:
        """The staff member, or Unauthorized; RateLimited while the account backs off.

        The attempt is counted in the store before the password is checked, atomically
        (`count_sign_in_attempt`): guesses sent in parallel each count and, once the account
        locks, the ones still in flight are refused without being checked.
        """
        if not isinstance(email, str) or not isinstance(password, str) or len(password) > 1024:
            raise Unauthorized("wrong e-mail or password")
        now = now or utcnow()
        try:
            staff = await self._store.get_staff_by_email(normalise_email(email))
        except Invalid:
            staff = None
        if staff is None:
            _verify(_DUMMY_HASH, password)  # the same work as for a known account
            raise Unauthorized("wrong e-mail or password")
        if staff.locked_until is not None and staff.locked_until > now:
            raise RateLimited(_locked_message(staff.locked_until, now))
        counted = await self._store.count_sign_in_attempt(staff.id, now)
        if counted is None:  # another attempt locked the account since it was read
            latest = await self._store.get_staff(staff.id)
            raise RateLimited(_locked_message(latest.locked_until if latest else None, now))
        if not _verify(counted.password_hash, password):
            raise Unauthorized("wrong e-mail or password")
        counted.failed_logins, counted.locked_until = 0, None
        if _hasher.check_needs_rehash(counted.password_hash):
            counted.password_hash = _hasher.hash(password)
        await self._store.save_staff(counted)
        return counted

    async def get(self, staff_id: Any) -> Staff | None:
        return await self._store.get_staff(staff_id) if isinstance(staff_id, str) else None

    async def from_session(self, staff_id: Any, epoch: Any) -> Staff | None:
        """The account a signed session names, unless that session was ended since (its
        epoch is older than the account's): the guard of the staff API, pages and socket."""
        staff = await self.get(staff_id)
        if staff is None or type(epoch) is not int or epoch != staff.session_epoch:
            return None
        return staff

    async def sign_out(self, staff: Staff) -> None:
        """End every session of this account on the server, copies of the cookie included
        (the browser's cookie alone is not the session: anyone holding a copy could go on)."""
        await self._store.end_staff_sessions(staff.id)
        for listener in self._signed_out:
            await listener(staff.id)
