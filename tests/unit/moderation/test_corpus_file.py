"""Sanity checks on moderation/corpus/moderation_corpus.jsonl (see moderation_corpus.md).

Data only: these tests check that the file is well formed, that every split can measure
every class, that no text is shared between splits, and that the bank and card numbers in it
are checksum-valid, so a detector that verifies checksums is tested fairly.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).parents[3] / "moderation" / "corpus" / "moderation_corpus.jsonl"
LABELS = ("frustration", "out_of_scope", "personal_data", "abuse", "spam")
SPLITS = {"train": 0.6, "validation": 0.2, "test": 0.2}  # as first written; train grew since
HELD_OUT = {"validation": (360, "549ea343cf322afd"), "test": (358, "8eb8dedd3bcf1a40")}
# The seventh batch (ids from c4175) added a fresh validation set for abuse; the rows above
# are pinned as first written, these with them.
FIRST_WRITTEN_LAST_ID = 4174
VALIDATION_NOW = (510, "3634dfcfb76573fa")
CONTEXT_TYPES = {"waiting_min": int, "bumps": int, "repeats": int, "burst": int, "new": bool}
KEYS = {"id", "text", "lang", "labels", "split", "asker", "context", "note"}

# IBAN-looking: country code + check digits + groups, for the countries in the corpus.
IBAN_LENGTHS = {"FR": 27, "BE": 16, "DE": 22, "GB": 22, "IE": 22, "ES": 24, "IT": 27}
IBAN = re.compile(r"\b([A-Z]{2})(\d{2})((?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?)\b")
# Card-looking: 13-19 digits starting 2-6, unbroken or in groups of 4 (Amex 4-6-5),
# never part of a longer run of digits and groups.
CARD = re.compile(
    r"(?<!\w)(?<!\d[ -])"
    r"(?:[2-6]\d{12,18}|[2-6]\d{3}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?|3\d{3}[ -]\d{6}[ -]\d{5})"
    r"(?![ -]?\d)(?!\w)"
)


def load() -> list[dict[str, Any]]:
    with CORPUS.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


ROWS = load()


def mod97_ok(iban: str) -> bool:
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        value = int(ch) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def ibans(text: str) -> list[str]:
    found = []
    for match in IBAN.finditer(text):
        compact = match.group(0).replace(" ", "")
        if IBAN_LENGTHS.get(match.group(1)) == len(compact):
            found.append(compact)
    return found


def test_rows_are_well_formed() -> None:
    assert len(ROWS) >= 1600
    for row in ROWS:
        assert set(row) <= KEYS and KEYS - {"note"} <= set(row), row
        assert re.fullmatch(r"c\d{4}", row["id"]), row
        assert isinstance(row["text"], str) and row["text"].strip(), row
        assert row["lang"] in ("fr", "en"), row
        assert row["split"] in SPLITS, row
        assert isinstance(row["asker"], bool), row
        assert set(row["labels"]) <= set(LABELS), row
        assert len(set(row["labels"])) == len(row["labels"]), row
        for key, value in row["context"].items():
            assert type(value) is CONTEXT_TYPES[key], row
        assert isinstance(row.get("note", ""), str), row


def test_ids_are_unique() -> None:
    ids = Counter(row["id"] for row in ROWS)
    assert [i for i, n in ids.items() if n > 1] == []


def test_no_duplicate_text() -> None:
    texts = Counter(" ".join(row["text"].casefold().split()) for row in ROWS)
    assert [t for t, n in texts.items() if n > 1] == []


def _pin(rows: list[dict[str, Any]]) -> tuple[int, str]:
    ordered = sorted(rows, key=lambda row: row["id"])
    content = json.dumps(ordered, sort_keys=True, ensure_ascii=False).encode()
    return len(ordered), hashlib.sha256(content).hexdigest()[:16]


def test_the_held_out_parts_are_as_first_written() -> None:
    """The test part never changes (it is measured, never edited or tuned on); the
    validation part keeps its first rows exactly and grew once, by the seventh batch's fresh
    abuse validation set (moderation_corpus.md), pinned here too."""
    for split, pinned in HELD_OUT.items():
        first = [
            row
            for row in ROWS
            if row["split"] == split and int(row["id"][1:]) <= FIRST_WRITTEN_LAST_ID
        ]
        assert _pin(first) == pinned, split
    assert _pin([row for row in ROWS if row["split"] == "test"]) == HELD_OUT["test"]
    assert _pin([row for row in ROWS if row["split"] == "validation"]) == VALIDATION_NOW


def test_languages_are_balanced() -> None:
    splits = Counter(row["split"] for row in ROWS)
    assert splits["train"] > splits["validation"] + splits["test"], splits
    french = sum(row["lang"] == "fr" for row in ROWS) / len(ROWS)
    assert french == pytest.approx(0.6, abs=0.05)


@pytest.mark.parametrize("split", sorted(SPLITS))
def test_each_split_has_every_class_in_both_languages(split: str) -> None:
    seen = Counter(
        (label, row["lang"])
        for row in ROWS
        if row["split"] == split
        for label in row["labels"] or ["ok"]
    )
    for label in ("ok", *LABELS):
        for lang in ("fr", "en"):
            assert seen[(label, lang)] >= 5, (split, label, lang, seen)


def test_iban_checksums() -> None:
    bad = [
        (row["id"], iban)
        for row in ROWS
        for iban in ibans(row["text"])
        if not mod97_ok(iban) and "invalid checksum" not in row.get("note", "")
    ]
    assert bad == []
    assert sum(bool(ibans(row["text"])) for row in ROWS) >= 10


def test_card_numbers_labelled_personal_data_pass_luhn() -> None:
    cards = [
        (row["id"], re.sub(r"[ -]", "", match.group(0)))
        for row in ROWS
        if "personal_data" in row["labels"]
        for match in CARD.finditer(IBAN.sub(" ", row["text"]))
    ]
    assert len(cards) >= 10
    assert [card for card in cards if not luhn_ok(card[1])] == []
