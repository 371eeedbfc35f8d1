"""Staff accounts: creation, sign-in with argon2 and backoff after repeated failures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.domain.errors import Invalid, RateLimited, Unauthorized
from app.domain.models import new_id, utcnow
from app.domain.staff import Role, Staff, lock_duration
from app.store.port import Store

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


class StaffAccounts:
    def __init__(self, store: Store) -> None:
        self._store = store

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
        """The staff member, or Unauthorized; RateLimited while the account backs off."""
        if not isinstance(email, str) or not isinstance(password, str) or len(password) > 1024:
            raise Unauthorized("wrong e-mail or password")
        now = now or utcnow()
        try:
            staff = await self._store.get_staff_by_email(normalise_email(email))
        except Invalid:
            staff = None
        if staff is not None and staff.locked_until is not None and staff.locked_until > now:
            wait = max(1, int((staff.locked_until - now).total_seconds() // 60) + 1)
            raise RateLimited(f"too many failed attempts; try again in {wait} min")
        try:
            _hasher.verify(staff.password_hash if staff else _DUMMY_HASH, password)
            ok = staff is not None
        except (VerificationError, InvalidHashError):
            ok = False
        if staff is None:
            raise Unauthorized("wrong e-mail or password")
        if not ok:
            staff.failed_logins += 1
            pause = lock_duration(staff.failed_logins)
            staff.locked_until = now + pause if pause else None
            await self._store.save_staff(staff)
            raise Unauthorized("wrong e-mail or password")
        if (
            staff.failed_logins
            or staff.locked_until
            or _hasher.check_needs_rehash(staff.password_hash)
        ):
            staff.failed_logins, staff.locked_until = 0, None
            if _hasher.check_needs_rehash(staff.password_hash):
                staff.password_hash = _hasher.hash(password)
            await self._store.save_staff(staff)
        return staff

    async def get(self, staff_id: Any) -> Staff | None:
        return await self._store.get_staff(staff_id) if isinstance(staff_id, str) else None
