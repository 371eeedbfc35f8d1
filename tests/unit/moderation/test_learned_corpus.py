"""The shipped model on the corpus (moderation/corpus/): the numbers docs/moderation.md
quotes, as regression floors. The test part was measured for these numbers, never tuned on.

Run with -s to print the tables (rules alone, rules + model) copied into the docs.
"""

from __future__ import annotations

import pytest

from moderation.learned import shipped_model
from moderation.training import held_out_part, load_default_corpus, measure

CORPUS = load_default_corpus()
TEST = held_out_part(CORPUS)
# Measured once on the test part (rounded down): a regression guard, not the goal (issue
# 13 asks F1 >= 0.9; abuse met it first with the sixth round: see docs/moderation.md).
F1_FLOORS = {
    "frustration": 0.9,
    "out_of_scope": 0.9,
    "personal_data": 0.99,
    "abuse": 0.9,
    "spam": 0.9,
}
FALSE_ESCALATION_CEILING = 0.02


@pytest.fixture(scope="module")
def with_model() -> object:
    model = shipped_model()
    assert model is not None
    report = measure(model, TEST)
    print("\n" + measure(None, TEST).table("rules only, test part"))
    print(report.table("rules + model, test part"))
    return report


def test_rules_plus_model_on_the_test_part(with_model: object) -> None:
    from moderation.evaluation import Report

    assert isinstance(with_model, Report)
    scores = with_model.by_class()
    for cls, floor in F1_FLOORS.items():
        assert scores[cls].f1 >= floor, (cls, scores[cls])
    assert scores["personal_data"].recall == 1.0  # issue 13: no personal data is missed
    assert with_model.false_escalation_rate <= FALSE_ESCALATION_CEILING


@pytest.mark.parametrize("split", ["train", "validation"])
def test_personal_data_rules_catch_every_labelled_example(split: str) -> None:
    from moderation import MessageContext, personal_data_signal

    missed = [
        e.id
        for e in CORPUS
        if e.split == split
        and "personal_data" in e.labels
        and personal_data_signal(MessageContext(body=e.ctx.body)) is None
    ]
    assert missed == []
