"""Validation numbers for tuning the detectors' model: train on the corpus' train part
alone, measure rules + model (as `moderation.detect` runs them) on the validation part.
The test part is neither loaded into the model nor measured here: choose on these numbers,
and leave the test part to `bench/detectors.py` / `entraide train-detectors`.

    PYTHONPATH=. .venv/bin/python bench/detectors_validation.py [--seeds 4] [--rules]
        [--corpus FILE] [--fresh-from 4175] [--abuse-budget 0.04] [--c 16]

(PYTHONPATH=. makes a git worktree's own `moderation` win over the one the virtualenv
installed in editable mode.)

Prints per-class precision / recall / F1 (95 % intervals) and the false-escalation rate for
seed 0. With --seeds N (N > 1) it also trains with seeds 0..N-1 (the seed decides the
cross-validation folds, hence the Platt scaling and the cuts) and prints each seed's F1 and
their mean: with ~50 positives per class one message moves F1 by 1-2 points, so compare
changes on the mean, not on one seed. --rules adds the rules alone for comparison.

The first validation rows are spent for abuse (their misses were read to write rules,
docs/moderation.md, "Fifth round"): abuse is judged on the validation messages from id
--fresh-from on (the seventh batch), printed as their own columns.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from moderation import learned
from moderation.evaluation import Report
from moderation.learned import featurize, load_corpus, train
from moderation.training import CORPUS_PATH, measure

TARGETS = ("frustration", "out_of_scope", "abuse")
FRESH_FROM = 4175  # the seventh batch: a validation set for abuse nobody has read errors of


def _fresh_cells(report: Report) -> tuple[str, float]:
    """Abuse P / R / F1, tp / fp / fn, frustration F1 and false escalations on the fresh
    messages."""
    scores = report.by_class()
    a = scores["abuse"]
    cells = f"{a.precision:.3f} / {a.recall:.3f} / {a.f1:.3f} | {a.tp} / {a.fp} / {a.fn}"
    fresh = f"{scores['frustration'].f1:.3f} | {report.false_escalation_rate:.1%}"
    return f"{cells} | {fresh}", a.f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=1, help="train with seeds 0..N-1")
    parser.add_argument("--rules", action="store_true", help="also print the rules alone")
    parser.add_argument("--corpus", type=Path, default=CORPUS_PATH, help="labelled JSON lines")
    parser.add_argument("--fresh-from", type=int, default=FRESH_FROM, help="first fresh id")
    parser.add_argument("--abuse-budget", type=float, help="abuse's false-alarm budget")
    parser.add_argument("--c", type=float, default=learned.C_VALUE, help="regularisation C")
    args = parser.parse_args()
    if args.abuse_budget is not None:
        learned.FALSE_ALARM_BUDGET["abuse"] = args.abuse_budget
    corpus = load_corpus(args.corpus)
    train_part = [e for e in corpus if e.split == "train"]
    validation = [e for e in corpus if e.split == "validation"]
    fresh = [e for e in validation if int(e.id[1:]) >= args.fresh_from]
    first = [e for e in validation if int(e.id[1:]) < args.fresh_from]
    del corpus  # the test part stays out of this script
    if args.rules:
        print(measure(None, validation).table("rules only, validation part"))
        print(_fresh_cells(measure(None, fresh))[0], "(rules only, fresh: abuse P/R/F1)")
    matrix = featurize(train_part)
    rows: list[tuple[int, dict[str, float], float, str]] = []
    for seed in range(max(args.seeds, 1)):
        start = time.perf_counter()
        model = train(matrix, seed=seed, c_value=args.c)
        report = measure(model, validation)
        took = time.perf_counter() - start
        if seed == 0:
            cuts = ", ".join(f"{c} {t:.2f}" for c, t in model.thresholds.items())
            print(f"trained on {len(train_part)} train-part messages in {took:.1f} s; cuts: {cuts}")
            print(report.table(f"rules + model (train part, seed 0) {model.version}, validation"))
        first_report = measure(model, first)
        f1 = {c.cls: c.f1 for c in first_report.classes}
        cells, f1["fresh abuse"] = _fresh_cells(measure(model, fresh))
        rows.append((seed, f1, first_report.false_escalation_rate, cells))
    print(f"\nfirst {len(first)} validation messages, then the {len(fresh)} fresh ones")
    head = " | ".join(TARGETS)
    print(
        f"| seed | {head} | false esc. | fresh abuse P / R / F1 | tp / fp / fn"
        " | fresh frustration | fresh f.e. |"
    )
    print("|---|" + "---|" * (len(TARGETS) + 5))
    for seed, f1, fe, cells in rows:
        print(
            f"| {seed} | "
            + " | ".join(f"{f1[c]:.3f}" for c in TARGETS)
            + f" | {fe:.1%} | {cells} |"
        )
    if len(rows) > 1:
        means = {
            c: statistics.fmean(f1[c] for _, f1, _, _ in rows) for c in (*TARGETS, "fresh abuse")
        }
        fe_mean = statistics.fmean(fe for _, _, fe, _ in rows)
        cells = " | ".join(f"{means[c]:.3f}" for c in TARGETS)
        print(f"| mean | {cells} | {fe_mean:.1%} | F1 {means['fresh abuse']:.3f} | | |")


if __name__ == "__main__":
    main()
