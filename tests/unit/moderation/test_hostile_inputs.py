"""The worst 2,000-character inputs we could think of go through every detector.

No timing assertion (machines differ): the point is that they finish. They run in a few
milliseconds each; a quadratic pattern would take seconds and trip pytest's timeout.
"""

from __future__ import annotations

import pytest

from moderation import MessageContext, detect, redact

UNITS = [
    "a",
    "A",
    "!",
    "?!",
    "😀",
    "😡",
    "é",
    "a\u0301\u0302",
    "1",
    "@",
    "a@",
    "0 ",
    "06 ",
    "1-",
    "1 2 ",
    "4970 ",
    "a.",
    "a-b.",
    "www.a.",
    "x at y dot ",
    "a (at) ",
    "order #",
    "commande n° 1",
    "12 rue ",
    "35000 Rennes ",
    "toujours pas ",
    "no ",
    "f*ck ",
    "c0nnard ",
    "’",
    "FR76 ",
    "zero six ",
    "06 mon ",
    "o6 ",
    "oh one ",
    "0 12 ",
    "a@b com ",
    "rue a 1 ",
    "commence par 4970 ",
    "4970 12.. ",
]
PREFIXES = ["", "+", "http://", "fr76", "commande n° ", "1 rue "]


def inputs() -> list[str]:
    out = []
    for unit in UNITS:
        out.append((unit * (2000 // len(unit) + 1))[:2000])
    for prefix in PREFIXES:
        out.append((prefix + "0" * 2000)[:2000])
        out.append((prefix + "a" * 2000)[:2000])
    return out


@pytest.mark.parametrize("text", inputs(), ids=lambda t: repr(t[:12]))
def test_every_detector_finishes(text: str) -> None:
    ctx = MessageContext(
        body=text,
        author_is_new=True,
        author_recent_bodies=(text,) * 20,
        asker_bump_count=3,
    )
    signals = detect(ctx)
    assert all(0.0 <= s.score <= 1.0 for s in signals)
    assert isinstance(redact(text), str)
