"""Thresholds: defaults, per-category overrides, config parsing, validation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from moderation import CategoryThresholds, MessageContext, Thresholds, detect
from moderation.learned import shipped_model

BODY = "Toujours pas de réponse... c'est pénible"


def test_defaults() -> None:
    default = Thresholds()
    assert default.frustration == 0.5
    assert default.unanswered_sla == timedelta(minutes=10)
    assert CategoryThresholds().for_category(None) == default
    assert CategoryThresholds().for_category("anything") == default


def test_category_overrides_are_partial() -> None:
    config = CategoryThresholds(Thresholds(spam=0.6, spam_hold=0.8)).with_category(
        "leurres", frustration=0.9
    )
    lures = config.for_category("leurres")
    assert lures.frustration == 0.9
    assert lures.spam == 0.6  # inherited from the shop's defaults
    assert config.for_category("tentes").frustration == 0.5


def test_detect_uses_the_message_category() -> None:
    # The rules' thresholds per category (the learned layer's cut: the next test).
    config = CategoryThresholds().with_category("leurres", frustration=0.95)
    plain = detect(MessageContext(body=BODY, category="moulinets"), config, model=None)
    lures = detect(MessageContext(body=BODY, category="leurres"), config, model=None)
    assert [s.code for s in plain] == ["frustration"]
    assert lures == []


def test_a_category_threshold_moves_the_models_cut() -> None:
    model = shipped_model()
    assert model is not None
    body = "bon, je vais attendre encore un peu alors"
    p = model.probabilities(MessageContext(body=body))["frustration"]
    assert 0.05 < p < 0.95, p
    low = (p - 0.02) / model.thresholds["frustration"] * 0.5  # cut just below p
    high = (
        0.5
        + (p + 0.02 - model.thresholds["frustration"]) / (1 - model.thresholds["frustration"]) * 0.5
    )
    config = CategoryThresholds().with_category("a", frustration=min(max(low, 0.01), 1.0))
    config = config.with_category("b", frustration=min(max(high, 0.01), 1.0))
    fired_a = detect(MessageContext(body=body, category="a"), config)
    fired_b = detect(MessageContext(body=body, category="b"), config)
    assert "frustration" in [s.code for s in fired_a]
    assert "frustration" not in [s.code for s in fired_b]


def test_from_mapping() -> None:
    config = CategoryThresholds.from_mapping(
        {
            "default": {"frustration": 0.6, "unanswered_sla_minutes": 15},
            "categories": {
                "kayaks": {"unanswered_sla_minutes": 45},
                "leurres": {"trusted_link_domains": ["WWW.Labonneprise.fr"], "flood_messages": 8},
            },
        }
    )
    assert config.default.unanswered_sla == timedelta(minutes=15)
    assert config.for_category("kayaks").unanswered_sla == timedelta(minutes=45)
    assert config.for_category("kayaks").frustration == 0.6
    assert config.for_category("leurres").trusted_link_domains == frozenset({"labonneprise.fr"})
    assert config.for_category("leurres").flood_messages == 8


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"default": {"frustation": 0.6}}, "unknown threshold 'frustation'"),
        ({"defaults": {}}, "unknown threshold sections"),
        ({"default": {"frustration": 1.5}}, "frustration must be within"),
        ({"default": {"abuse": 0.9, "abuse_hold": 0.8}}, "hold threshold cannot be below"),
        ({"default": {"unanswered_sla_minutes": 0}}, "durations must be positive"),
        ({"default": {"flood_messages": 1}}, "flood_messages must be"),
        ({"default": {"trusted_link_domains": "shop.fr"}}, "must be a list"),
    ],
)
def test_bad_config_is_refused(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CategoryThresholds.from_mapping(data)
