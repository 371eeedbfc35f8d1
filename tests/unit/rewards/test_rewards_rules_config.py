"""A shop configures its points rules (ENTRAIDE_POINTS): names are checked, types too, and
what is not given keeps its documented default."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from rewards.rules import DEFAULT_RULES, PointsRules


def test_given_values_replace_the_defaults_and_the_rest_stay() -> None:
    rules = PointsRules.from_mapping(
        {
            "accepted": 20,
            "daily_cap_per_giver": 25,
            "fast_first_answer_minutes": 15,
            "repeat_window_days": 7.5,
            "repeat_factor": 1,
        }
    )
    assert rules.accepted == 20 and rules.daily_cap_per_giver == 25
    assert rules.fast_first_answer_within == timedelta(minutes=15)
    assert rules.repeat_window == timedelta(days=7, hours=12)
    assert rules.repeat_factor == 1.0
    assert rules.answer == DEFAULT_RULES.answer == 2
    assert rules.helpful_vote == DEFAULT_RULES.helpful_vote == 5
    assert PointsRules.from_mapping({}) == DEFAULT_RULES


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"acepted": 20}, "unknown points rule 'acepted'"),
        ({"accepted": "20"}, "accepted must be a whole number"),
        ({"accepted": 2.5}, "accepted must be a whole number"),
        ({"accepted": True}, "accepted must be a whole number"),
        ({"accepted": -1}, "must not be negative"),
        ({"repeat_factor": 1.5}, "between 0 and 1"),
        ({"repeat_factor": None}, "repeat_factor must be a number"),
        ({"fast_first_answer_minutes": 0}, "windows must be positive"),
        ({"repeat_window_days": "week"}, "repeat_window_days must be a number"),
        ({"repeat_window_days": 1e12}, "out of range"),
        ({"fast_first_answer_within": 10}, "unknown points rule"),
    ],
)
def test_wrong_names_types_and_values_are_refused(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PointsRules.from_mapping(data)
