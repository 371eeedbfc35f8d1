"""The weekly digest: made once from Monday 08:00 shop time, and served to staff only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from app.factory import create_app
from tests.conftest import server_overrides
from tests.support import LiveServer, StaffClient


async def test_the_sweeper_makes_last_weeks_digest_once_from_monday_8am(tmp_path: Path) -> None:
    folder = tmp_path / "digests"
    app = create_app(server_overrides(tmp_path, digest_dir=str(folder), sweeper="off"))
    digests = app.services.digests
    await app.services.store.open()
    try:
        # A sweeper started on Sunday 29 November catches up on the week before (W47).
        late = await digests.tick(datetime(2026, 11, 29, 20, 0, tzinfo=UTC))
        assert late == folder / "2026-W47.html"
        # Monday 30 November 2026, Paris (UTC+1): 07:59 is too early, 08:00 makes W48.
        assert await digests.tick(datetime(2026, 11, 30, 6, 59, tzinfo=UTC)) is None
        made = await digests.tick(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
        assert made == folder / "2026-W48.html"
        assert "Entraide : la semaine 2026-W48" in made.read_text(encoding="utf-8")
        assert await digests.tick(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)) is None  # once
        assert await digests.tick(datetime(2026, 12, 4, 9, 0, tzinfo=UTC)) is None  # same week
        assert sorted(p.name for p in folder.iterdir()) == ["2026-W47.html", "2026-W48.html"]
    finally:
        await app.services.store.close()


async def test_staff_read_any_weeks_digest_and_others_are_sent_to_sign_in(
    server: LiveServer, staff: StaffClient
) -> None:
    page = server.url + "/staff/insights/digest"
    async with staff.http.get(page, params={"week": "2026-W48", "lang": "en"}) as resp:
        assert resp.status == 200
        assert "script" not in resp.headers["Content-Security-Policy"]
        html = await resp.text()
    assert "Entraide: the week 2026-W48" in html and "<script" not in html
    async with staff.http.get(page, params={"week": "<b>2026</b>"}) as resp:
        assert resp.status == 400
        assert (await resp.json())["error"]["code"] == "invalid"
    async with aiohttp.ClientSession() as http, http.get(page, allow_redirects=False) as resp:
        assert resp.status in (302, 303) and "/staff/login" in resp.headers["Location"]
