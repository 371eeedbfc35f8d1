"""The `entraide` command: clear refusals for bad configuration and arguments."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ENTRAIDE = [sys.executable, "-m", "app.cli"]


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ENTRAIDE_")}
    return subprocess.run(
        [*ENTRAIDE, *args],
        env={**clean, "ENTRAIDE_DATABASE_URL": f"sqlite:///{tmp_path}/e.db", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ENTRAIDE_DATABASE_URL": "postgres://x"}, "ENTRAIDE_DATABASE_URL"),
        ({"ENTRAIDE_REDIS_URL": "http://nope"}, "ENTRAIDE_REDIS_URL"),
        ({"ENTRAIDE_ALLOWED_ORIGINS": "shop.example.com"}, "ENTRAIDE_ALLOWED_ORIGINS"),
        ({"ENTRAIDE_MAX_BODY_CHARS": "lots"}, "ENTRAIDE_MAX_BODY_CHARS"),
        ({"ENTRAIDE_WRITE_RATE": "often"}, "ENTRAIDE_WRITE_RATE"),
        ({"ENTRAIDE_ENV": "production"}, "ENTRAIDE_SECRET_KEY"),
        ({"ENTRAIDE_SECRET_KEY": "short"}, "ENTRAIDE_SECRET_KEY"),
        ({"ENTRAIDE_POINTS": '{"acepted": 20}'}, "unknown points rule 'acepted'"),
        ({"ENTRAIDE_POINTS": "accepted=20"}, "ENTRAIDE_POINTS"),
        ({"ENTRAIDE_TIMEZONE": "Mars/Olympus"}, "ENTRAIDE_TIMEZONE"),
        ({"ENTRAIDE_COST_PER_CONTACT": "-3"}, "ENTRAIDE_COST_PER_CONTACT"),
    ],
)
def test_bad_configuration_stops_at_start_naming_the_variable(
    tmp_path: Path, env: dict[str, str], named: str
) -> None:
    result = run(["init-db"], tmp_path, **env)
    assert result.returncode == 2
    assert named in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_command_and_bad_port_are_refused(tmp_path: Path) -> None:
    assert run(["explode"], tmp_path).returncode == 2
    bad_port = run(["run", "--port", "http"], tmp_path)
    assert bad_port.returncode == 2 and "invalid int value" in bad_port.stderr


def test_init_db_and_seed_demo_are_idempotent(tmp_path: Path) -> None:
    assert run(["init-db"], tmp_path).returncode == 0
    first = run(["seed-demo"], tmp_path)
    second = run(["seed-demo"], tmp_path)
    assert first.returncode == second.returncode == 0
    assert "0 new threads" not in first.stdout and "0 new threads" in second.stdout


def test_digest_renders_a_week_and_refuses_a_malformed_one(tmp_path: Path) -> None:
    assert run(["seed-demo"], tmp_path).returncode == 0
    done = run(["digest", "--week", "2026-W48", "--lang", "en"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Entraide: the week 2026-W48" in done.stdout and "2026-11-23" in done.stdout
    out = tmp_path / "digest.html"
    assert run(["digest", "--week", "2026-W48", "--out", str(out)], tmp_path).returncode == 0
    assert "Entraide : la semaine 2026-W48" in out.read_text(encoding="utf-8")
    for week in ("2026-48", "2026-W60", "W48", "<script>"):
        bad = run(["digest", "--week", week], tmp_path)
        assert bad.returncode == 1 and "YYYY-Www" in bad.stderr, (week, bad.stderr)
        assert bad.stdout == ""


def test_rebuild_insights_counts_every_question(tmp_path: Path) -> None:
    assert run(["seed-demo"], tmp_path).returncode == 0
    done = run(["rebuild-insights"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "insights rebuilt from the questions:" in done.stdout
    assert int(done.stdout.split(":")[1].split()[0]) > 0
