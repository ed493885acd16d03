"""What a failed snapshot differs in, as text in the test's output.

The HTML report pytest-textual-snapshot writes stays on the machine that ran the tests; a CI
log keeps only what the test prints. This reads the two screenshots the plugin kept for its
report and says which screen lines differ (or that only colours and styles do)."""

from __future__ import annotations

import difflib
import html
import pickle
import re
from collections import defaultdict

from pytest_textual_snapshot import node_to_report_path

_UNIQUE_PREFIX = re.compile(r"terminal-\d+-")  # each screenshot's own; the plugin ignores it
_TEXT = re.compile(
    r'<text class="([^"]*)" x="([\d.]+)" y="[\d.]+" textLength="[\d.]+" '
    r'clip-path="url\(#[\w-]+-line-(\d+)\)">([^<]*)</text>'
)


def screen_lines(svg: str) -> list[str]:
    """The terminal's lines of text in a Textual SVG screenshot."""
    pieces: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for _, x, line, text in _TEXT.findall(svg):
        pieces[int(line)].append((float(x), html.unescape(text).replace("\xa0", " ")))
    return ["".join(t for _, t in sorted(pieces[n])).rstrip() for n in sorted(pieces)]


def explain(node: object) -> str:
    """The difference between the expected and the actual screenshot of a failed test."""
    path = node_to_report_path(node)  # type: ignore[arg-type]
    if not path.exists():
        return "(no screenshot kept)"
    _, expected, actual, *_ = pickle.loads(path.read_bytes())
    expected, actual = (_UNIQUE_PREFIX.sub("terminal-", svg or "") for svg in (expected, actual))
    diff = list(
        difflib.unified_diff(
            screen_lines(expected),
            screen_lines(actual),
            "expected",
            "actual",
            lineterm="",
        )
    )
    if diff:
        return "\n".join(diff)
    styles = list(
        difflib.unified_diff(
            _TEXT.sub("", expected).splitlines(),
            _TEXT.sub("", actual).splitlines(),
            "expected",
            "actual",
            n=0,
            lineterm="",
        )
    )
    return "same text; colours or styles differ:\n" + "\n".join(styles[:40])
