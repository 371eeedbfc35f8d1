"""SMTP through aiosmtplib: one connection per e-mail, TLS from the URL's scheme.

`smtps://` is TLS from the first byte (port 465 by default); `smtp://` upgrades with
STARTTLS when the server offers it (port 25 by default). `user:password@` logs in.
"""

from __future__ import annotations

from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib

from app.services.mail_worker import DeliveryError

TIMEOUT = 15.0  # seconds per SMTP conversation


class SmtpTransport:
    def __init__(self, url: str, *, timeout: float = TIMEOUT) -> None:
        parts = urlsplit(url)
        self._tls = parts.scheme == "smtps"
        self._host = parts.hostname or "localhost"
        self._port = parts.port or (465 if self._tls else 25)
        self._user = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._timeout = timeout

    async def send(self, message: EmailMessage) -> None:
        try:
            await aiosmtplib.send(
                message,
                hostname=self._host,
                port=self._port,
                username=self._user,
                password=self._password,
                use_tls=self._tls,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            raise DeliveryError(f"recipient refused ({codes})", permanent=all(
                500 <= c < 600 for c in codes)) from None  # fmt: skip
        except aiosmtplib.SMTPResponseException as exc:
            raise DeliveryError(f"{exc.code} {exc.message}"[:300],
                                permanent=500 <= exc.code < 600) from None  # fmt: skip
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}"[:300]) from None
