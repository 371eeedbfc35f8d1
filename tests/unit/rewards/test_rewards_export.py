"""CSV export: opens in French Excel, accents intact, safe against formula injection."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from rewards import to_csv

COLUMNS = [("name", "Nom"), ("points", "Points"), ("rank", "Rang"), ("since", "Depuis")]


def read_back(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_round_trip_keeps_accents_separators_quotes_and_line_breaks() -> None:
    rows = [
        {"name": "Hélène Müller", "points": 1200, "rank": "Ambassadeur", "since": None},
        {"name": 'Zoé "la pro"; vélos', "points": 55, "rank": "Contributeur"},
        {"name": "Line\nbreak, comma", "points": 0, "rank": "Nouveau membre"},
    ]
    data = to_csv(rows, COLUMNS)
    assert b"\r\n" in data
    assert read_back(data) == [
        ["Nom", "Points", "Rang", "Depuis"],
        ["Hélène Müller", "1200", "Ambassadeur", ""],
        ['Zoé "la pro"; vélos', "55", "Contributeur", ""],
        ["Line\nbreak, comma", "0", "Nouveau membre", ""],
    ]


def test_cells_that_would_run_as_formulas_are_neutralised() -> None:
    rows: list[dict[str, object]] = [
        {"name": n} for n in ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx"]
    ]
    rows.append({"name": -5})  # a real number stays a number
    got = [r[0] for r in read_back(to_csv(rows, ["name"]))[1:]]
    assert got == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "'\tx", "-5"]


def test_a_formula_after_a_separator_inside_a_cell_is_neutralised_too() -> None:
    """A spreadsheet that splits on commas (or tabs, or lines) makes each piece a cell."""
    names = ["x,=1+1,", "a;@SUM(A1)", "b\t+1", "c\n-2", 'd, "=3', "e,f-g", "Jean-Luc, ok"]
    got = [r[0] for r in read_back(to_csv([{"name": n} for n in names], ["name"]))[1:]]
    assert got == [
        "x,'=1+1,", "a;'@SUM(A1)", "b\t'+1", "c\n'-2", "d,' \"=3", "e,f-g", "Jean-Luc, ok",
    ]  # fmt: skip


def test_dates_in_paris_time_and_decimal_commas() -> None:
    rows = [{"since": datetime(2026, 7, 1, 10, 0, tzinfo=UTC), "points": 2.5}]
    got = read_back(to_csv(rows, [("since", "Depuis"), "points"]))
    assert got == [["Depuis", "points"], ["2026-07-01 12:00:00", "2,5"]]


def test_no_rows_still_gives_the_header() -> None:
    assert read_back(to_csv([], COLUMNS)) == [["Nom", "Points", "Rang", "Depuis"]]
