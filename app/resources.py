"""Where the package's own files are: static files, templates and translations ship inside
the `app` package (the wheel carries them), so they are found next to this module, never
relative to a checkout or the working directory. Nothing is ever written here: the package
may be installed read-only; run-time data goes under `var/` in the working directory."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
STATIC_DIR = PACKAGE_DIR / "static"
TEMPLATES_DIR = PACKAGE_DIR / "templates"
TRANSLATIONS_DIR = PACKAGE_DIR / "translations"
# Browser libraries from npm, copied here by bin/setup after `npm ci` (git-ignored; in the
# wheel, which is built after that) and served from /static/vendor/<name>.
VENDOR_DIR = STATIC_DIR / "vendor"
