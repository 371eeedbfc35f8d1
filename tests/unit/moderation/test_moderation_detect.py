"""detect(): all detectors together, notices for the asker, reports, purity of the package."""

from __future__ import annotations

import subprocess
import sys

import pytest

from moderation import (
    MessageContext,
    Signal,
    asker_notice,
    detect,
    held,
    priority,
    report_signal,
)


def test_a_clean_question_passes() -> None:
    signals = detect(MessageContext(body="Ce moulinet tient-il l'eau salée ?"))
    assert signals == []
    assert held(signals) is False
    assert asker_notice(signals, "fr") is None


def test_order_number_and_anger_together() -> None:
    ctx = MessageContext(
        body="Commande n° 4587213 toujours pas arrivée, c'est inadmissible !!!", lang_hint="fr"
    )
    signals = detect(ctx)
    assert [s.code for s in signals] == ["personal_data", "out_of_scope", "frustration"]
    assert held(signals)
    assert priority(signals) >= 95
    notice = asker_notice(signals, "fr")
    assert notice is not None
    assert "numéro de commande" in notice
    assert "4587213" not in notice
    assert "4587213" not in " ".join(s.describe() for s in signals)


def test_notices_in_both_languages() -> None:
    pd = [Signal("personal_data", 1.0, ("phone number", "e-mail address"), hold=True)]
    assert "numéro de téléphone, adresse e-mail" in (asker_notice(pd, "fr") or "")
    assert "phone number, e-mail address" in (asker_notice(pd, "en") or "")
    oos = [Signal("out_of_scope", 0.7, ("'refund'",))]
    assert "shop's team" in (asker_notice(oos, "en") or "")
    assert "l'équipe de la boutique" in (asker_notice(oos, "fr") or "")
    spam = [Signal("spam", 0.8, (), hold=True)]
    assert "moderator" in (asker_notice(spam, "en") or "")
    assert asker_notice([Signal("frustration", 0.8)], "en") is None


def test_held_abuse_from_a_helper() -> None:
    signals = detect(MessageContext(body="T'es qu'un connard", from_asker=False))
    assert [s.code for s in signals] == ["abuse"]
    assert held(signals)


def test_reports_accumulate_until_held() -> None:
    assert report_signal([]) is None
    one = report_signal(["spam"])
    three = report_signal(["spam", "Spam", "rude"])
    assert one is not None
    assert three is not None
    assert one.hold is False
    assert three.hold is True
    assert one.score < three.score == 1.0
    assert three.evidence == ("3 report(s)", "spam x2", "rude")


def test_signal_validates_itself() -> None:
    with pytest.raises(ValueError, match="unknown signal code"):
        Signal("nope", 0.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"within 0\.\.1"):
        Signal("spam", 1.5)


def test_the_package_imports_no_framework_or_driver() -> None:
    code = (
        "import sys, warnings\n"
        "warnings.simplefilter('error')\n"
        "import moderation\n"
        "moderation.warm_up()\n"
        "bad = {'quart', 'socketio', 'engineio', 'redis', 'pymongo', 'aiosqlite', 'sqlite3'}\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "assert not bad & loaded, bad & loaded\n"
        "assert not [m for m in sys.modules if m.startswith('app.')], 'app imported'\n"
        "assert '/' not in sys.path, 'vaderSentiment_fr left / on sys.path'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
