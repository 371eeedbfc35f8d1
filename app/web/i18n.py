"""French and English UI text: Babel catalogs read from `app/translations/*.po` at start.

Reading the .po files directly (compiled in memory) means no build step and no stale .mo,
and nothing is written next to them (an installed package may be read-only).
The locale comes from `?lang=` / `data-lang`, else the browser's Accept-Language.
"""

from __future__ import annotations

import gettext
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from quart import Quart, g, request

from app.resources import TRANSLATIONS_DIR

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"


def load_catalogs(folder: Path = TRANSLATIONS_DIR) -> dict[str, gettext.NullTranslations]:
    catalogs: dict[str, gettext.NullTranslations] = {"en": gettext.NullTranslations()}
    for locale in LOCALES:
        po = folder / locale / "LC_MESSAGES" / "messages.po"
        if po.exists():
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=locale)
            buffer = BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            catalogs[locale] = gettext.GNUTranslations(buffer)
    return catalogs


def pick_locale() -> str:
    asked = request.args.get("lang", "")
    if asked in LOCALES:
        return asked
    return request.accept_languages.best_match(LOCALES) or DEFAULT_LOCALE


def init_app(app: Quart) -> None:
    catalogs = load_catalogs()

    def translations() -> gettext.NullTranslations:
        return catalogs.get(getattr(g, "locale", DEFAULT_LOCALE), catalogs["en"])

    def _gettext(message: str, **variables: object) -> str:
        text = translations().gettext(message)
        return text % variables if variables else text

    def _ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
        text = translations().ngettext(singular, plural, n)
        return text % {"num": n, **variables}

    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=True
    )

    @app.before_request
    async def choose_locale() -> None:
        g.locale = pick_locale()
