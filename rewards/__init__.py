"""Rewards: points ledger, anti-gaming rules, ranks, badges and leaderboards (pure Python)."""
