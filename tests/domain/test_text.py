"""Text from the book made harmless for terminals and spreadsheets."""

from __future__ import annotations

import pytest

from balance_tui.domain.text import spreadsheet_cell, visible, visible_line


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred", "\\x1b[31mred"),
        ("a\u202eb", "a\\u202eb"),
        ("\u2066x\u2069", "\\u2066x\\u2069"),
        ("bell\x07", "bell\\x07"),
        ("c1\x9b", "c1\\x9b"),
        ("keeps\nnew lines\tand tabs", "keeps\nnew lines\tand tabs"),
        ("plain ünïcode ✓", "plain ünïcode ✓"),
    ],
)
def test_visible_escapes_what_acts_on_a_terminal(raw: str, shown: str) -> None:
    assert visible(raw) == shown


def test_visible_line_escapes_new_lines_too() -> None:
    assert visible_line("a\nb\tc") == "a\\x0ab\\x09c"


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("-50.00", "-50.00"),
        ("-1,000.00", "-1,000.00"),
        ("+5", "+5"),
        ("ordinary", "ordinary"),
        (12, 12),
        (None, None),
    ],
)
def test_spreadsheet_cells_never_run_as_formulas(cell: object, written: object) -> None:
    assert spreadsheet_cell(cell) == written
