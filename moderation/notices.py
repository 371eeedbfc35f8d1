"""What the asker is told in the widget, in their language, when a signal changes the flow.

Only three signals change what the shopper sees: personal data (their message went to
staff privately, and why), a held abuse/spam message (waiting for review), and an
out-of-scope question (the brand's team will answer). Frustration and unanswered cases are
invisible to the shopper: staff simply step in.
"""

from __future__ import annotations

from collections.abc import Sequence

from moderation.personal_data import (
    ADDRESS,
    CARD,
    EMAIL,
    IBAN,
    ID_NUMBER,
    KINDS,
    ORDER,
    PHONE,
    TRACKING,
)
from moderation.signals import Signal
from moderation.text import Lang

_KIND_FR = {
    EMAIL: "adresse e-mail",
    PHONE: "numéro de téléphone",
    IBAN: "IBAN",
    CARD: "numéro de carte",
    ORDER: "numéro de commande",
    TRACKING: "numéro de suivi",
    ADDRESS: "adresse postale",
    ID_NUMBER: "numéro d'identification",
}
# When only the learned model saw personal data, no kind is known.
_UNKNOWN_KIND = {"fr": "coordonnées ou numéros personnels", "en": "contact details or numbers"}

_TEXT: dict[str, dict[Lang, str]] = {
    "personal_data": {
        "fr": (
            "Votre message contient des informations personnelles ({kinds}). Pour vous "
            "protéger, il n'a pas été publié : il a été transmis en privé à l'équipe de la "
            "boutique, qui vous répondra ici."
        ),
        "en": (
            "Your message contains personal details ({kinds}). To protect you, it was not "
            "published: it was sent privately to the shop's team, who will reply to you here."
        ),
    },
    "held": {
        "fr": "Votre message sera publié après vérification par un modérateur.",
        "en": "Your message will be published once a moderator has reviewed it.",
    },
    "out_of_scope": {
        "fr": (
            "Cette question concerne votre commande ou votre compte : l'équipe de la "
            "boutique vous répond directement ici."
        ),
        "en": (
            "This question is about your order or account: the shop's team will answer you "
            "directly here."
        ),
    },
}


def asker_notice(signals: Sequence[Signal], lang: Lang) -> str | None:
    """The one notice to show the author, most important first; None when nothing to say."""
    by_code = {signal.code: signal for signal in signals}
    personal = by_code.get("personal_data")
    if personal is not None:
        named = [k for k in personal.evidence if k in KINDS]
        kinds = [_KIND_FR.get(k, k) if lang == "fr" else k for k in named] or [_UNKNOWN_KIND[lang]]
        return _TEXT["personal_data"][lang].format(kinds=", ".join(kinds))
    if any(signal.hold for signal in signals):
        return _TEXT["held"][lang]
    if "out_of_scope" in by_code:
        return _TEXT["out_of_scope"][lang]
    return None
