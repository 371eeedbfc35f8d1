"""CSV export for brand staff, shaped for the spreadsheet they will open it in.

Decisions (docs/rewards.md):
- UTF-8 with a BOM: without it Excel decodes UTF-8 as Windows-1252 and "Hélène" breaks.
- `;` between fields: French Excel expects it (the comma is the decimal separator), and
  LibreOffice and Numbers detect it. Floats are written with a decimal comma to match.
- CRLF line endings and minimal quoting (RFC 4180): fields with `;`, quotes or line
  breaks are quoted, quotes doubled.
- Formula injection: contributor names are user input, and a cell starting with `=`, `+`,
  `-`, `@`, tab or carriage return would run as a formula in the spreadsheet. `'` goes
  before such a start (OWASP's advice) at the start of the text AND after every comma,
  semicolon, tab or line break inside it (spaces and quotes in between are skipped): a
  spreadsheet that splits on another separator than ours (a comma, say) turns each of
  those pieces into a cell of its own, so `x,=1+1,` is written `x,'=1+1,`. `|` and `%` start
  no formula by themselves (a DDE payload such as `=cmd|...` needs one of the starts
  above), so they are left alone. Numbers are written as numbers.
- Datetimes as "YYYY-MM-DD HH:MM:SS" in the shop's zone (Paris by default), which
  spreadsheets read as dates; None as an empty cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, tzinfo

from rewards.periods import PARIS

Column = str | tuple[str, str]  # key, or (key, header)
DELIMITER = ";"
# A formula start at the start of the text or of any piece a spreadsheet may split off
# (after `,` `;` tab CR LF), optionally after spaces or quotes: `'` goes right there.
_FORMULA_START = re.compile(r"(?:^|(?<=[,;\t\r\n]))(?=[ \"]*[=+\-@\t\r])")


def cell(value: object, tz: tzinfo = PARIS) -> str:
    """One value as spreadsheet-safe text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    if isinstance(value, datetime):
        local = value.astimezone(tz) if value.tzinfo is not None else value
        return local.strftime("%Y-%m-%d %H:%M:%S")
    return _FORMULA_START.sub("'", str(value))


def to_csv(
    rows: Iterable[Mapping[str, object]], columns: Sequence[Column], *, tz: tzinfo = PARIS
) -> bytes:
    """Rows (mappings) -> CSV bytes with a header line. Missing keys give empty cells."""
    keys = [c if isinstance(c, str) else c[0] for c in columns]
    headers = [c if isinstance(c, str) else c[1] for c in columns]
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer, delimiter=DELIMITER, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n"
    )
    writer.writerow([cell(h, tz) for h in headers])
    for row in rows:
        writer.writerow([cell(row.get(k), tz) for k in keys])
    return buffer.getvalue().encode("utf-8-sig")
