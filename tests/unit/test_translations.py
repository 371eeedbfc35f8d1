"""Every UI string has a French translation: a string added without one would show in
English to French shoppers."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.resources import TEMPLATES_DIR, TRANSLATIONS_DIR

PO = TRANSLATIONS_DIR / "fr/LC_MESSAGES/messages.po"


def catalog_ids() -> dict[str, str]:
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    return {str(m.id): str(m.string) for m in catalog if m.id and isinstance(m.id, str)}


def template_strings() -> set[str]:
    found = extract_from_dir(str(TEMPLATES_DIR), [("**.html", "jinja2")])
    return {m if isinstance(m, str) else m[0] for _, _, m, _, _ in found}


def test_every_template_string_is_translated_to_french() -> None:
    strings = template_strings()
    assert len(strings) > 300  # the extraction really read the templates
    translated = catalog_ids()
    assert sorted(s for s in strings if not translated.get(s)) == []


def test_no_french_entry_is_left_empty() -> None:
    assert [k for k, v in catalog_ids().items() if not v] == []
