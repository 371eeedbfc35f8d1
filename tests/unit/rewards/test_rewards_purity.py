"""The rewards package stays pure: no framework, driver, or app module beyond app.domain."""

from __future__ import annotations

import subprocess
import sys


def test_the_package_imports_no_framework_or_driver() -> None:
    code = (
        "import sys, warnings\n"
        "warnings.simplefilter('error')\n"
        "import rewards\n"
        "bad = {'quart', 'socketio', 'engineio', 'redis', 'pymongo', 'aiosqlite', 'sqlite3'}\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "assert not bad & loaded, bad & loaded\n"
        "outside = [m for m in sys.modules if m.startswith('app.')\n"
        "           and not m.startswith('app.domain')]\n"
        "assert not outside, outside\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
