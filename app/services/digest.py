"""The weekly digest: last week's insights as one self-contained HTML page (inline styles,
no script: the same page will be the e-mail body), in French or English.

`entraide digest --week` renders any week; the sweeper produces last week's every Monday
from 08:00 shop time into the digests folder, once (the file is the record that it was
made; written whole, then renamed into place).
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, time, timedelta
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.domain.models import utcnow
from app.resources import TEMPLATES_DIR
from app.services.insights import InsightsService
from app.services.mail import MailService

log = logging.getLogger(__name__)
SEND_AT = time(8, 0)  # Monday, shop time
TEXT = {
    "fr": {
        "title": "Entraide : la semaine", "questions": "Questions", "answer_rate":
        "Taux de réponse", "community": "Part de la communauté", "median":
        "Première réponse (médiane)", "escalated": "Escaladées", "csat": "Satisfaction",
        "deflected": "Contacts évités", "savings": "Économies estimées", "products":
        "Par produit", "topics": "Sujets et signaux faibles", "weak": "Signal faible",
        "none": "—", "minutes": "min", "answered": "Répondues", "open": "Ouvrir les insights",
        "unsubscribe": "Ne plus recevoir ce récapitulatif",
    },
    "en": {
        "title": "Entraide: the week", "questions": "Questions", "answer_rate": "Answer rate",
        "community": "Community share", "median": "First answer (median)", "escalated":
        "Escalated", "csat": "Satisfaction", "deflected": "Contacts deflected", "savings":
        "Estimated savings", "products": "By product", "topics": "Topics and weak signals",
        "weak": "Weak signal", "none": "—", "minutes": "min", "answered": "Answered",
        "open": "Open insights", "unsubscribe": "Stop this digest",
    },
}  # fmt: skip


class Digests:
    def __init__(
        self, insights: InsightsService, folder: Path, public_url: str | None,
        mail: MailService | None = None,
    ) -> None:  # fmt: skip
        self._insights = insights
        self._mail = mail
        self.folder = folder
        self._public_url = (public_url or "").rstrip("/")
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR), autoescape=select_autoescape(default=True)
        )

    async def render(
        self, week: str | None, lang: str, unsubscribe_url: str | None = None
    ) -> tuple[str, str]:
        """(ISO week, HTML) of `week` (YYYY-Www; default: the last complete week); with
        `unsubscribe_url`, the e-mail's footer link."""
        query = self._insights.week_query(week)
        doc = await self._insights.report(query)
        iso = query.start.isocalendar()
        name = f"{iso.year}-W{iso.week:02d}"
        words = TEXT["fr" if lang == "fr" else "en"]
        html = self._env.get_template("digest/weekly.html").render(
            doc=doc, week=name, t=words, lang=lang, pct=_pct, minutes=_minutes,
            link=f"{self._public_url}/staff/insights?from={query.start}&to={query.end}",
            unsubscribe_url=unsubscribe_url,
        )  # fmt: skip
        return name, html

    async def tick(self, at: datetime | None = None) -> Path | None:
        """From Monday 08:00 shop time, make last week's digest if it is not made yet."""
        now = (at or utcnow()).astimezone(self._insights.tz)
        monday = now.date() - timedelta(days=now.weekday())
        if now < datetime.combine(monday, SEND_AT, tzinfo=self._insights.tz):
            return None
        year, number, _ = (monday - timedelta(days=7)).isocalendar()
        week = f"{year}-W{number:02d}"
        target = self.folder / f"{week}.html"
        if target.exists():
            return None
        _, html = await self.render(week, "fr")
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".tmp")
        partial.write_text(html, encoding="utf-8")
        os.replace(partial, target)
        log.info("weekly digest %s written to %s", week, target)
        if self._mail is not None:  # the file is the record: e-mailed once, with it
            sent = await self._mail.queue_digests(
                week, lambda lang, unsubscribe: self.render(week, lang, unsubscribe)
            )
            log.info("weekly digest %s queued for %d staff", week, sent)
        return target


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f} %"


def _minutes(seconds: int | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.0f}"
