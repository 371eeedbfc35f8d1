"""The semantic index's ranking (app/adapters/e5.py), on hand-made vectors: scores are
calibrated per language pair, ties go by the raw cosine, and extending an index adds new
texts and replaces re-embedded ones."""

from __future__ import annotations

import pytest

np = pytest.importorskip("numpy", reason="the [semantic] extra is not installed")

from app.adapters.e5 import OTHER_LANGUAGE, SAME_LANGUAGE, E5Index  # noqa: E402
from app.domain.knowledge import Vector  # noqa: E402


def unit(cosine: float) -> bytes:
    """A 2-d unit vector whose cosine with (1, 0) is `cosine`."""
    return np.array([cosine, (1 - cosine**2) ** 0.5], dtype="<f4").tobytes()


def vector(ref: str, cosine: float, lang: str = "fr") -> Vector:
    return Vector(ref, "room", lang, unit(cosine))


QUERY = unit(1.0)


def test_scores_are_calibrated_per_language_pair() -> None:
    low_same, high_same = SAME_LANGUAGE
    low_other, _ = OTHER_LANGUAGE
    middle = (low_same + high_same) / 2
    index = E5Index.of([vector("thread:fr", middle), vector("thread:en", middle, "en"),
                        vector("thread:far", low_other - 0.05, "en")], 2)  # fmt: skip
    found = dict(index.nearest(QUERY, "fr", 3))
    assert found["thread:fr"] == pytest.approx(0.5, abs=0.01)
    assert found["thread:en"] > found["thread:fr"]  # the same cosine across languages is more
    assert found["thread:far"] == 0.0
    assert [ref for ref, _ in index.nearest(QUERY, "fr", 2)] == ["thread:en", "thread:fr"]


def test_ties_at_full_score_go_by_the_raw_cosine() -> None:
    index = E5Index.of([vector("thread:a", 0.95), vector("thread:b", 0.99),
                        vector("thread:c", 0.97)], 2)  # fmt: skip
    assert index.nearest(QUERY, "fr", 3) == [("thread:b", 1.0), ("thread:c", 1.0),
                                              ("thread:a", 1.0)]  # fmt: skip


def test_extending_adds_new_texts_and_replaces_re_embedded_ones() -> None:
    index = E5Index.of([vector("thread:a", 0.84), vector("faq:b", 0.86)], 2)
    grown = index.extend([vector("thread:a", 0.9), vector("thread:c", 0.88)])
    assert len(index) == 2 and len(grown) == 3
    assert [ref for ref, _ in grown.nearest(QUERY, "fr", 3)] == ["thread:a", "thread:c", "faq:b"]
    assert index.extend([]) is index
    assert E5Index.of([], 2).nearest(QUERY, "fr", 3) == []
