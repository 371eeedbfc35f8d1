"""Screening cost per message: `moderation.detect` over every corpus message, rules
alone and rules + the shipped model, with the text caches cleared before each message (a
new message is never in them). Prints p50 / p99 / max in milliseconds.

    .venv/bin/python bench/detectors.py [--rounds 3] [--timing-only]

Also prints the evaluation tables (rules alone, rules + model) on the corpus' untouched
test part, with 95 % confidence intervals: the numbers in docs/moderation.md.
--timing-only skips them (while tuning, the test part must not be looked at; validation
numbers: bench/detectors_validation.py).
"""

from __future__ import annotations

import argparse
import time

from moderation import detect, learned, personal_data, sentiment, shipped_model, text, warm_up
from moderation.training import held_out_part, load_default_corpus, measure

CACHES = (
    text.normalize,
    text.fold,
    text.cue_text,
    personal_data.find_personal_data,
    sentiment.compound,
    learned._folded,
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timing-only", action="store_true", help="no test-part tables")
    args = parser.parse_args()
    corpus = load_default_corpus()
    warm_up()
    model = shipped_model()
    assert model is not None
    for name, choice in (("rules only", None), ("rules + model", model)):
        times: list[float] = []
        for _ in range(args.rounds):
            for example in corpus:
                for cache in CACHES:
                    cache.cache_clear()
                start = time.perf_counter()
                detect(example.ctx, model=choice)
                times.append((time.perf_counter() - start) * 1000)
        print(
            f"{name}: {len(times)} messages, p50 {percentile(times, 0.5):.2f} ms, "
            f"p99 {percentile(times, 0.99):.2f} ms, max {max(times):.2f} ms"
        )
    if args.timing_only:
        return
    test = held_out_part(corpus)
    print(measure(None, test).table("rules only, test part"))
    print(measure(model, test).table(f"rules + model {model.version}, test part"))


if __name__ == "__main__":
    main()
