"""A stand-in for messages worded by a writer the model has not read: three folds over the
train-part messages of the corpus' first batch (ids c0001-c1782, the writer of the
validation and test parts), near-copies (word-set Jaccard >= 0.5) kept in one fold, each
fold measured with rules + a model trained on every other train-part message. Neither the
validation nor the test part is read.

    PYTHONPATH=. .venv/bin/python bench/detectors_proxy.py [--seeds 0 1 2]
        [--abuse-budget 0.02 0.04]

Prints, per seed and abuse false-alarm budget, the folds' mean F1 for frustration,
out_of_scope and abuse, abuse's summed true / false positives and misses, and the mean
false-escalation rate. Rules fitted to the first batch's train part flatter this proxy:
measure rule changes on an export of a commit from before them (docs/moderation.md,
"Fifth round").
"""

from __future__ import annotations

import argparse
import re
import statistics
from collections.abc import Sequence

from moderation import learned
from moderation.learned import Example, load_corpus, train
from moderation.training import CORPUS_PATH, measure

FIRST_BATCH_LAST_ID = 1782
FOLDS = 3
NEAR_COPY = 0.5
TARGETS = ("frustration", "out_of_scope", "abuse")


def _first_batch_folds(train_part: Sequence[Example]) -> list[list[int]]:
    first = [i for i, e in enumerate(train_part) if int(e.id[1:]) <= FIRST_BATCH_LAST_ID]
    words = {i: set(re.findall(r"\w+", train_part[i].ctx.body.lower())) for i in first}
    parent = {i: i for i in first}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for x, a in enumerate(first):
        for b in first[x + 1 :]:
            union = words[a] | words[b]
            if union and len(words[a] & words[b]) / len(union) >= NEAR_COPY:
                parent[root(a)] = root(b)
    clusters: dict[int, list[int]] = {}
    for i in first:
        clusters.setdefault(root(i), []).append(i)
    folds: list[list[int]] = [[] for _ in range(FOLDS)]
    for cluster in sorted(clusters.values(), key=len, reverse=True):
        min(folds, key=len).extend(cluster)
    return folds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument(
        "--abuse-budget", type=float, nargs="+", default=[learned.FALSE_ALARM_BUDGET["abuse"]]
    )
    args = parser.parse_args()
    train_part = [e for e in load_corpus(CORPUS_PATH) if e.split == "train"]
    folds = _first_batch_folds(train_part)  # validation and test stay out
    print(f"folds: {[len(f) for f in folds]} first-batch train-part messages")
    print("| seed | abuse budget | " + " | ".join(TARGETS) + " | abuse tp / fp / fn | false esc. |")
    print("|---|---|" + "---|" * (len(TARGETS) + 2))
    budgets = learned.FALSE_ALARM_BUDGET
    default = budgets["abuse"]
    for seed in args.seeds:
        for budget in args.abuse_budget:
            budgets["abuse"] = budget
            f1: dict[str, list[float]] = {c: [] for c in TARGETS}
            tp = fp = fn = 0
            escalations: list[float] = []
            for fold in folds:
                held = set(fold)
                model = train([e for j, e in enumerate(train_part) if j not in held], seed=seed)
                report = measure(model, [train_part[j] for j in fold])
                scores = report.by_class()
                for cls in TARGETS:
                    f1[cls].append(scores[cls].f1)
                tp, fp, fn = (
                    tp + scores["abuse"].tp,
                    fp + scores["abuse"].fp,
                    fn + scores["abuse"].fn,
                )
                escalations.append(report.false_escalation_rate)
            means = " | ".join(f"{statistics.fmean(f1[c]):.3f}" for c in TARGETS)
            fe = statistics.fmean(escalations)
            print(f"| {seed} | {budget:.0%} | {means} | {tp} / {fp} / {fn} | {fe:.1%} |")
    budgets["abuse"] = default


if __name__ == "__main__":
    main()
