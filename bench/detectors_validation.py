"""Validation numbers for tuning the detectors' model: train on the corpus' train part
alone, measure rules + model (as `moderation.detect` runs them) on the validation part.
The test part is neither loaded into the model nor measured here: choose on these numbers,
and leave the test part to `bench/detectors.py` / `entraide train-detectors`.

    PYTHONPATH=. .venv/bin/python bench/detectors_validation.py [--seeds 4] [--rules]
        [--corpus FILE]

(PYTHONPATH=. makes a git worktree's own `moderation` win over the one the virtualenv
installed in editable mode.)

Prints per-class precision / recall / F1 (95 % intervals) and the false-escalation rate for
seed 0. With --seeds N (N > 1) it also trains with seeds 0..N-1 (the seed decides the
cross-validation folds, hence the Platt scaling and the cuts) and prints each seed's F1 and
their mean: with ~50 positives per class one message moves F1 by 1-2 points, so compare
changes on the mean, not on one seed. --rules adds the rules alone for comparison.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from moderation.learned import load_corpus, train
from moderation.training import CORPUS_PATH, measure

TARGETS = ("frustration", "out_of_scope", "abuse")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=1, help="train with seeds 0..N-1")
    parser.add_argument("--rules", action="store_true", help="also print the rules alone")
    parser.add_argument("--corpus", type=Path, default=CORPUS_PATH, help="labelled JSON lines")
    args = parser.parse_args()
    corpus = load_corpus(args.corpus)
    train_part = [e for e in corpus if e.split == "train"]
    validation = [e for e in corpus if e.split == "validation"]
    del corpus  # the test part stays out of this script
    if args.rules:
        print(measure(None, validation).table("rules only, validation part"))
    rows: list[tuple[int, dict[str, float], float]] = []
    for seed in range(max(args.seeds, 1)):
        start = time.perf_counter()
        model = train(train_part, seed=seed)
        report = measure(model, validation)
        took = time.perf_counter() - start
        if seed == 0:
            cuts = ", ".join(f"{c} {t:.2f}" for c, t in model.thresholds.items())
            print(f"trained on {len(train_part)} train-part messages in {took:.1f} s; cuts: {cuts}")
            print(report.table(f"rules + model (train part, seed 0) {model.version}, validation"))
        f1 = {c.cls: c.f1 for c in report.classes}
        rows.append((seed, f1, report.false_escalation_rate))
    if len(rows) > 1:
        print("\n| seed | " + " | ".join(TARGETS) + " | mean of 3 | false escalations |")
        print("|---|" + "---|" * (len(TARGETS) + 2))
        for seed, f1, fe in rows:
            mean = statistics.fmean(f1[c] for c in TARGETS)
            cells = " | ".join(f"{f1[c]:.3f}" for c in TARGETS)
            print(f"| {seed} | {cells} | {mean:.3f} | {fe:.1%} |")
        means = {c: statistics.fmean(f1[c] for _, f1, _ in rows) for c in TARGETS}
        cells = " | ".join(f"{means[c]:.3f}" for c in TARGETS)
        fe_mean = statistics.fmean(fe for _, _, fe in rows)
        print(f"| mean | {cells} | {statistics.fmean(means.values()):.3f} | {fe_mean:.1%} |")


if __name__ == "__main__":
    main()
