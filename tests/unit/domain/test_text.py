"""Display names, bodies, safe rendering and bilingual search terms."""

from __future__ import annotations

import pytest

from app.domain.errors import Invalid
from app.domain.text import clean_body, clean_display_name, render_html, search_terms


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Camille  ", "Camille"),
        ("Jean\u202e-Pierre", "Jean-Pierre"),  # bidi override removed
        ("Zoé\u200b\x00\x07", "Zoé"),  # zero-width and control characters removed
        ("Anne   Marie\nDupont", "Anne Marie Dupont"),
        ("Cafe\u0301", "Café"),  # normalised to one code point
    ],
)
def test_display_names_are_cleaned(raw: str, clean: str) -> None:
    assert clean_display_name(raw) == clean


@pytest.mark.parametrize("raw", ["", "   ", "\u202e\u200b", "x" * 41])
def test_bad_display_names_are_refused(raw: str) -> None:
    with pytest.raises(Invalid):
        clean_display_name(raw)


def test_body_keeps_text_as_written_within_limits() -> None:
    assert clean_body("  <b>Bonjour</b>\nça va ?  ") == "<b>Bonjour</b>\nça va ?"
    with pytest.raises(Invalid):
        clean_body("x" * 2001)
    with pytest.raises(Invalid):
        clean_body(" \u200b ")


def test_rendering_escapes_everything_but_links() -> None:
    html = render_html('<script>x</script> voir https://peche.fr/leurre?a=1&b=2 <a href="j">')
    assert "<script" not in html and "&lt;script&gt;" in html
    assert '<a href="https://peche.fr/leurre?a=1&amp;b=2"' in html
    assert 'rel="nofollow ugc noopener"' in html
    assert html.count("<a ") == 1


def test_non_http_links_are_not_made_clickable() -> None:
    assert "<a" not in render_html("javascript:alert(1) data:text/html,x ftp://x.fr")


def test_search_terms_meet_across_accents_case_and_languages() -> None:
    stored = set(search_terms("La montre est-elle étanche ?"))
    assert set(search_terms("MONTRE ETANCHE")) <= stored
    assert set(search_terms("waterproof watches")) & set(search_terms("Is it waterproof?"))
    assert search_terms("le la les de du the a an") == []
