"""A balance chart with its axes: money on the left (highest, middle, lowest point drawn),
dates underneath (start, middle, end). Block characters in eighths, so an 8-row chart
resolves 64 levels; the figures beside it stay exact, the drawing is only a drawing."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_EVEN, Decimal

from rich.text import Text
from textual.widget import Widget

from balance_tui.tui.numbers import money

BLOCKS = " ▁▂▃▄▅▆▇█"


def _date_format(first: datetime, last: datetime) -> str:
    span = (last - first).total_seconds()
    if span <= 2 * 86_400:
        return "%m-%d %H:%M"
    return "%Y-%m-%d"


def resample(values: list[Decimal], width: int) -> list[Decimal]:
    """``width`` values: each column shows the last point that falls in it (a balance at
    the end of the column's stretch), so the last column is the closing balance; fewer
    points than columns are stretched over the width."""
    if not values or width <= 0:
        return []
    if len(values) <= width:  # stretched: each point takes its share of the columns
        return [values[i * len(values) // width] for i in range(width)]
    last = len(values) - 1
    return [values[min(last, ((i + 1) * len(values)) // width - 1)] for i in range(width)]


def chart_lines(series: list[tuple[datetime, Decimal]], width: int, height: int) -> Text:
    """The chart as text, ``width`` × ``height`` cells including both axes."""
    if not series or width < 20 or height < 3:
        return Text("No data to draw.", style="dim")
    values = [v for _, v in series]
    low, high = min(values), max(values)
    middle_value = ((high + low) / 2).quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    labels = [money(high), money(middle_value), money(low)]
    axis = max(len(label) for label in labels) + 1
    plot_width = max(1, width - axis - 1)
    rows = height - 1  # the last row holds the dates
    drawn = resample(values, plot_width)
    span = high - low
    # The lowest point still shows as a sliver: an empty column would read as "no data".
    eighths = [rows * 8 if span == 0 else max(1, int((v - low) * rows * 8 / span)) for v in drawn]
    text = Text(no_wrap=True)
    for row in range(rows):
        from_bottom = rows - 1 - row
        if row == 0:
            label = labels[0]
        elif row == rows - 1:
            label = labels[2]
        elif row == rows // 2:
            label = labels[1]
        else:
            label = ""
        text.append(f"{label:>{axis}}│", style="dim")
        cells = "".join(BLOCKS[max(0, min(8, e - from_bottom * 8))] for e in eighths)
        text.append(cells, style="bold")
        text.append("\n")
    first, last = series[0][0], series[-1][0]
    fmt = _date_format(first, last)
    middle = series[len(series) // 2][0]  # the point drawn in the middle column
    start, mid, end = f"{first:{fmt}}", f"{middle:{fmt}}", f"{last:{fmt}}"
    line = [" "] * plot_width
    for position, label in ((0, start), ((plot_width - len(mid)) // 2, mid)):
        for i, ch in enumerate(label):
            if 0 <= position + i < plot_width:
                line[position + i] = ch
    for i, ch in enumerate(end):
        position = plot_width - len(end) + i
        if 0 <= position < plot_width:
            line[position] = ch
    text.append(" " * axis + "└", style="dim")
    text.append("".join(line), style="dim")
    return text


class BalanceChart(Widget):
    """Draws ``series`` to fit its size; redraws on resize."""

    DEFAULT_CSS = """
    BalanceChart { height: 10; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.series: list[tuple[datetime, Decimal]] = []

    def plot(self, series: list[tuple[datetime, Decimal]]) -> None:
        self.series = series
        self.refresh()

    def render(self) -> Text:
        size = self.content_size
        return chart_lines(self.series, size.width, size.height)
