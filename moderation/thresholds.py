"""Thresholds, with defaults and per-category overrides.

Categories differ: a kayak room can live with a 30-minute SLA while a "bait & lures" room
full of slang wants a higher frustration bar. Overrides are partial: a category only names
what it changes, everything else comes from the shop's defaults.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

_SCORES = ("frustration", "out_of_scope", "abuse", "abuse_hold", "spam", "spam_hold")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Scores at or above a threshold open a case; `*_hold` ones also stop publication."""

    frustration: float = 0.5
    out_of_scope: float = 0.5
    abuse: float = 0.5
    abuse_hold: float = 0.8
    spam: float = 0.5
    spam_hold: float = 0.7
    unanswered_sla: timedelta = timedelta(minutes=10)
    owner_ask_after: timedelta = timedelta(minutes=30)  # then e-mail people who bought it
    flood_messages: int = 6
    flood_window: timedelta = timedelta(seconds=30)
    reports_to_hold: int = 3
    trusted_link_domains: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in _SCORES:
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be within (0, 1], got {value}")
        if self.abuse_hold < self.abuse or self.spam_hold < self.spam:
            raise ValueError("a hold threshold cannot be below its case threshold")
        durations = (self.unanswered_sla, self.flood_window, self.owner_ask_after)
        if any(d <= timedelta(0) for d in durations):
            raise ValueError("durations must be positive")
        if self.flood_messages < 2 or self.reports_to_hold < 1:
            raise ValueError("flood_messages must be >= 2 and reports_to_hold >= 1")
        domains = frozenset(d.lower().removeprefix("www.") for d in self.trusted_link_domains)
        object.__setattr__(self, "trusted_link_domains", domains)

    def replace(self, **changes: Any) -> Thresholds:
        """A copy with some values changed (validated again)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], base: Thresholds | None = None) -> Thresholds:
        """Build from config (JSON/env): durations as `*_minutes` / `*_seconds` numbers.

        Unknown keys are an error, so a typo in a config file does not silently keep the
        default.
        """
        changes: dict[str, Any] = {}
        names = {f.name for f in dataclasses.fields(cls)}
        for key, value in data.items():
            if key == "unanswered_sla_minutes":
                changes["unanswered_sla"] = timedelta(minutes=float(value))
            elif key == "owner_ask_after_minutes":
                changes["owner_ask_after"] = timedelta(minutes=float(value))
            elif key == "flood_window_seconds":
                changes["flood_window"] = timedelta(seconds=float(value))
            elif key == "trusted_link_domains":
                if isinstance(value, str):
                    raise ValueError("trusted_link_domains must be a list of domains")
                changes[key] = frozenset(str(d) for d in value)
            elif key in ("flood_messages", "reports_to_hold"):
                changes[key] = int(value)
            elif key in names and key in _SCORES:
                changes[key] = float(value)
            else:
                raise ValueError(f"unknown threshold {key!r}")
        return dataclasses.replace(base or cls(), **changes)


@dataclass(frozen=True, slots=True)
class CategoryThresholds:
    """Shop-wide defaults plus full `Thresholds` for the categories that override some."""

    default: Thresholds = field(default_factory=Thresholds)
    categories: Mapping[str, Thresholds] = field(default_factory=dict)

    def for_category(self, category: str | None) -> Thresholds:
        if category is None:
            return self.default
        return self.categories.get(category, self.default)

    def with_category(self, category: str, **changes: Any) -> CategoryThresholds:
        """A copy where `category` overrides `changes` on top of the defaults."""
        merged = dict(self.categories)
        merged[category] = self.for_category(category).replace(**changes)
        return CategoryThresholds(self.default, merged)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CategoryThresholds:
        """`{"default": {...}, "categories": {"kayaks": {"unanswered_sla_minutes": 30}}}`."""
        unknown = set(data) - {"default", "categories"}
        if unknown:
            raise ValueError(f"unknown threshold sections {sorted(unknown)}")
        default = Thresholds.from_mapping(data.get("default", {}))
        categories = {
            str(name): Thresholds.from_mapping(values, base=default)
            for name, values in data.get("categories", {}).items()
        }
        return cls(default, categories)


def resolve(thresholds: Thresholds | CategoryThresholds | None, category: str | None) -> Thresholds:
    """The thresholds that apply to one category."""
    if thresholds is None:
        return DEFAULT_THRESHOLDS
    if isinstance(thresholds, CategoryThresholds):
        return thresholds.for_category(category)
    return thresholds


DEFAULT_THRESHOLDS = Thresholds()
