"""The links e-mails carry: signed, expiring, and good for one purpose only.

Each purpose has its own salt, so a confirmation token is no unsubscribe token. A
confirmation link also carries the address's nonce, which confirming clears: it works once.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.domain.errors import Invalid
from app.domain.mail import MailKind

CONFIRM_DAYS = 7
UNSUBSCRIBE_DAYS = 400  # an unsubscribe link keeps working as long as an old e-mail is kept
INVITE_DAYS = 7
SALTS = {
    "confirm": "entraide.mail.confirm",
    "unsubscribe": "entraide.mail.unsubscribe",
    "invite": "entraide.mail.invite",
}


class MailLinks:
    def __init__(self, secret: str, public_url: str) -> None:
        self._secret = secret
        self.base = public_url.rstrip("/")

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._secret, salt=SALTS[purpose])

    def _read(self, purpose: str, token: object, max_days: int) -> Any:
        if not isinstance(token, str) or not 0 < len(token) <= 2000:
            raise Invalid("this link is incomplete")
        try:
            return self._serializer(purpose).loads(token, max_age=max_days * 86400)
        except SignatureExpired:
            raise Invalid("this link has expired") from None
        except BadSignature:
            raise Invalid("this link is not valid") from None

    def confirm_url(self, visitor_id: str, nonce: str, lang: str) -> str:
        token = self._serializer("confirm").dumps([visitor_id, nonce])
        return f"{self.base}/mail/confirm?{urlencode({'token': token, 'lang': lang})}"

    def read_confirm(self, token: object) -> tuple[str, str]:
        """(visitor id, nonce), or Invalid for a tampered, expired or foreign token."""
        value = self._read("confirm", token, CONFIRM_DAYS)
        if not (
            isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)
        ):
            raise Invalid("this link is not valid")
        return value[0], value[1]

    def unsubscribe_url(self, email: str, kind: MailKind, lang: str) -> str:
        token = self._serializer("unsubscribe").dumps([email, kind.value])
        return f"{self.base}/mail/unsubscribe?{urlencode({'token': token, 'lang': lang})}"

    def read_unsubscribe(self, token: object) -> tuple[str, MailKind]:
        value = self._read("unsubscribe", token, UNSUBSCRIBE_DAYS)
        try:
            email, kind = value
            return str(email), MailKind(kind)
        except (TypeError, ValueError):
            raise Invalid("this link is not valid") from None

    def invite_token(self, thread_id: str, customer_id: str, nonce: str) -> str:
        return str(self._serializer("invite").dumps([thread_id, customer_id, nonce]))

    def read_invite(self, token: object) -> tuple[str, str, str]:
        """(thread id, customer id, nonce) of an owner's invitation to answer."""
        value = self._read("invite", token, INVITE_DAYS)
        if not (isinstance(value, list) and len(value) == 3
                and all(isinstance(v, str) for v in value)):  # fmt: skip
            raise Invalid("this link is not valid")
        return value[0], value[1], value[2]

    @staticmethod
    def thread_url(product_url: str, thread_id: str, invite: str | None = None) -> str:
        """The product page with the widget told to open this thread (widget.js reads it),
        and for an owner the invitation that makes them a verified owner there."""
        link = f"{product_url.split('#')[0]}#entraide-thread={quote(thread_id)}"
        return f"{link}&entraide-invite={quote(invite)}" if invite else link
