"""What each e-mail says, in French or English: subject, plain text and HTML (one pair of
templates, app/templates/mail/message.*, filled per kind)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.domain.mail import EmailAddress, Mail, MailKind, ShopCustomer
from app.domain.models import Message, Room, Thread
from app.resources import TEMPLATES_DIR
from app.services.mail_links import MailLinks

QUOTE_CHARS = 1200
TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "brand": "Entraide — les questions de la communauté",
        "confirm_subject": "Confirmez votre adresse pour être prévenu(e) des réponses",
        "confirm_line": (
            "Vous avez demandé à être prévenu(e) par e-mail quand quelqu'un répond à vos "
            "questions."
        ),
        "confirm_line2": (
            "Confirmez votre adresse pour l'activer. Sans confirmation, nous ne vous écrirons "
            "plus."
        ),
        "confirm_action": "Confirmer mon adresse",
        "confirm_why": (
            "Vous recevez ce message parce que cette adresse a été saisie dans le module de "
            "questions d'une boutique. Si ce n'était pas vous, ignorez-le."
        ),
        "answer_subject": "Nouvelle réponse à votre question sur {product}",
        "answer_line": "Quelqu'un a répondu à votre question « {question} ».",
        "answer_action": "Voir la réponse",
        "answer_why": (
            "Vous recevez ce message parce que vous avez demandé à être prévenu(e) des réponses à "
            "vos questions."
        ),
        "owner_subject": "Vous avez acheté {product} : pouvez-vous aider un client ?",
        "owner_line": "Un client pose une question sur {product}, que vous avez acheté, et"
        " personne n'a encore répondu :",
        "owner_action": "Répondre",
        "owner_why": "Vous recevez ce message parce que vous avez accepté, auprès de la"
        " boutique, d'être sollicité(e) sur les produits que vous avez achetés. Un e-mail"
        " par jour au plus.",
        "digest_subject": "Entraide : la semaine {week}",
        "digest_line": "Le récapitulatif de la semaine (questions, réponses, satisfaction,"
        " signaux faibles) :",
        "unsubscribe": "Ne plus recevoir ces e-mails",
        "staff": "L'équipe de la boutique",
    },
    "en": {
        "brand": "Entraide — community questions",
        "confirm_subject": "Confirm your address to hear about answers",
        "confirm_line": "You asked to be told by e-mail when someone answers your questions.",
        "confirm_line2": (
            "Confirm your address to switch it on. Without confirmation we will not write again."
        ),
        "confirm_action": "Confirm my address",
        "confirm_why": (
            "You are receiving this because this address was typed into a shop's questions panel. "
            "If that was not you, ignore it."
        ),
        "answer_subject": "New answer to your question about {product}",
        "answer_line": "Someone answered your question \u201c{question}\u201d.",
        "answer_action": "See the answer",
        "answer_why": (
            "You are receiving this because you asked to hear about answers to your questions."
        ),
        "owner_subject": "You bought {product}: can you help a shopper?",
        "owner_line": "A shopper asks about {product}, which you bought, and nobody has"
        " answered yet:",
        "owner_action": "Answer",
        "owner_why": "You are receiving this because you agreed with the shop to be asked"
        " about products you bought. One e-mail a day at most.",
        "digest_subject": "Entraide: the week {week}",
        "digest_line": "The week's digest (questions, answers, satisfaction, weak signals):",
        "unsubscribe": "Stop these e-mails",
        "staff": "The shop's team",
    },
}  # fmt: skip


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class MailComposer:
    def __init__(self, links: MailLinks) -> None:
        self.links = links
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            keep_trailing_newline=True,
        )

    def _render(self, kind: MailKind, to: str, lang: str, subject: str,
                unsubscribe: bool, **parts: Any) -> Mail:  # fmt: skip
        lang = "fr" if lang == "fr" else "en"
        words = TEXT[lang]
        unsubscribe_url = self.links.unsubscribe_url(to, kind, lang) if unsubscribe else None
        context = {"lang": lang, "subject": subject, "brand": words["brand"],
                   "unsubscribe": words["unsubscribe"], "unsubscribe_url": unsubscribe_url,
                   "quote": None, "quote_by": None, **parts}  # fmt: skip
        return Mail(
            kind=kind,
            to=to,
            subject=subject,
            text=self._env.get_template("mail/message.txt").render(context),
            html=self._env.get_template("mail/message.html").render(context),
            unsubscribe_url=unsubscribe_url,
        )

    def confirm(self, address: EmailAddress) -> Mail:
        """The double opt-in e-mail: the only one an unconfirmed address ever gets."""
        assert address.nonce is not None
        words = TEXT["fr" if address.lang == "fr" else "en"]
        mail = self._render(
            MailKind.CONFIRM, address.email, address.lang, words["confirm_subject"],
            unsubscribe=True,
            lines=[words["confirm_line"], words["confirm_line2"]],
            action=words["confirm_action"],
            action_url=self.links.confirm_url(address.visitor_id, address.nonce, address.lang),
            why=words["confirm_why"],
        )  # fmt: skip
        mail.visitor_id = address.visitor_id
        return mail

    def answer(self, address: EmailAddress, thread: Thread, room: Room, message: Message,
               by_staff: bool) -> Mail:  # fmt: skip
        """Someone answered: the answer itself and a link back to the thread."""
        words = TEXT["fr" if address.lang == "fr" else "en"]
        mail = self._render(
            MailKind.ANSWER, address.email, address.lang,
            words["answer_subject"].format(product=_short(room.title, 80)), unsubscribe=True,
            lines=[words["answer_line"].format(question=_short(thread.body, 160))],
            quote=_short(message.body, QUOTE_CHARS),
            quote_by=words["staff"] if by_staff else message.author_name,
            action=words["answer_action"],
            action_url=self.links.thread_url(room.url, thread.id),
            why=words["answer_why"],
        )  # fmt: skip
        mail.thread_id, mail.visitor_id = thread.id, address.visitor_id
        return mail

    def digest(self, to: str, lang: str, week: str, html: str, unsubscribe_url: str) -> Mail:
        """The weekly digest page as the HTML part; a short plain-text part with its link."""
        words = TEXT["fr" if lang == "fr" else "en"]
        link = f"{self.links.base}/staff/insights/digest?week={week}&lang={lang}"
        text = (f"{words['digest_subject'].format(week=week)}\n\n{words['digest_line']}\n"
                f"{link}\n\n-- \n{words['unsubscribe']}: {unsubscribe_url}\n")  # fmt: skip
        return Mail(MailKind.DIGEST, to, words["digest_subject"].format(week=week), text, html,
                    unsubscribe_url=unsubscribe_url)  # fmt: skip

    def owner(self, owner: ShopCustomer, thread: Thread, room: Room, invite: str) -> Mail:
        """To someone who bought the product: a shopper's unanswered question, and a link
        that opens it in the widget as a verified owner."""
        words = TEXT["fr" if owner.lang == "fr" else "en"]
        mail = self._render(
            MailKind.OWNER, owner.email, owner.lang,
            words["owner_subject"].format(product=_short(room.title, 80)), unsubscribe=True,
            lines=[words["owner_line"].format(product=_short(room.title, 120))],
            quote=_short(thread.body, QUOTE_CHARS),
            action=words["owner_action"],
            action_url=self.links.thread_url(room.url, thread.id, invite),
            why=words["owner_why"],
        )  # fmt: skip
        mail.thread_id = thread.id
        return mail
