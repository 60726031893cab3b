"""Bar charts drawn on the server as SVG: no script, no inline style, nothing fetched.

Colours come from classes that static/css/reports.css styles (and follows the light or
dark theme); the same figures are always in a table next to the chart, which the chart
names in its title for screen readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

ROW = 30  # height of one horizontal bar's row
LABEL_CHARS = 25  # longer labels are shortened in the chart; the table has them whole


@dataclass(frozen=True)
class Series:
    """One set of bars: a name for the legend and a value per category."""

    name: str
    values: Sequence[float]


def _shorten(label: str) -> str:
    label = str(label)
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _number(value: float) -> str:
    return f"{value:,.1f}" if value % 1 else f"{int(value):,}"


def _open(width: int, height: int, title: str, table_id: str) -> str:
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{table_id}-chart-title" '
        f'aria-describedby="{table_id}" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{table_id}-chart-title">{escape(title)}</title>'
    )


def bars(categories: Sequence[str], series: Sequence[Series], title: str, table_id: str) -> Markup:
    """Horizontal bars, one row per category and one bar per series in it."""
    label_width, bar_width, width = 200, 215, 460
    per_row = ROW if len(series) == 1 else 16 * len(series) + 10
    legend = 24 if len(series) > 1 else 0
    height = legend + per_row * max(len(categories), 1) + 4
    top = max((v for s in series for v in s.values), default=0) or 1
    parts = [_open(width, height, title, table_id)]
    parts += _legend(series) if legend else []
    for row, category in enumerate(categories):
        y = legend + row * per_row
        parts.append(
            f'<text class="chart-label" x="{label_width - 8}" y="{y + per_row / 2 + 5:.0f}" '
            f'text-anchor="end">{escape(_shorten(category))}</text>'
        )
        step = (per_row - 6) / len(series)
        for i, s in enumerate(series):
            value = s.values[row]
            length = bar_width * value / top
            bar_y = y + 3 + i * step
            parts.append(
                f'<rect class="chart-bar series-{i}" x="{label_width}" y="{bar_y:.1f}" '
                f'width="{length:.1f}" height="{step - 2:.1f}"/>'
            )
            parts.append(
                f'<text class="chart-value" x="{label_width + length + 6:.1f}" '
                f'y="{bar_y + step / 2 + 3:.1f}">{_number(value)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (text is escaped above; the rest are numbers)


def columns(
    categories: Sequence[str], series: Sequence[Series], title: str, table_id: str
) -> Markup:
    """Vertical bars, a group per category (nights of the week, hour bands); keep the
    category names short."""
    width, plot_height, base = 460, 150, 190
    legend = 24 if len(series) > 1 else 0
    height = base + legend + 8
    group = (width - 20) / max(len(categories), 1)
    bar = (group - 14) / len(series)
    top = max((v for s in series for v in s.values), default=0) or 1
    parts = [_open(width, height, title, table_id)]
    parts += _legend(series) if legend else []
    axis_y = legend + base - 22
    parts.append(
        f'<line class="chart-axis" x1="10" x2="{width - 10}" y1="{axis_y}" y2="{axis_y}"/>'
    )
    for col, category in enumerate(categories):
        x = 10 + col * group
        for i, s in enumerate(series):
            value = s.values[col]
            h = plot_height * value / top
            bx = x + 7 + i * bar
            parts.append(
                f'<rect class="chart-bar series-{i}" x="{bx:.1f}" y="{axis_y - h:.1f}" '
                f'width="{bar - 2:.1f}" height="{h:.1f}"/>'
            )
            parts.append(
                f'<text class="chart-value" x="{bx + (bar - 2) / 2:.1f}" y="{axis_y - h - 4:.1f}" '
                f'text-anchor="middle">{_number(value)}</text>'
            )
        parts.append(
            f'<text class="chart-label" x="{x + group / 2:.1f}" y="{axis_y + 17}" '
            f'text-anchor="middle">{escape(_shorten(category))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (text is escaped above; the rest are numbers)


def _legend(series: Sequence[Series]) -> list[str]:
    parts, x = [], 10
    for i, s in enumerate(series):
        parts.append(f'<rect class="chart-bar series-{i}" x="{x}" y="4" width="14" height="14"/>')
        parts.append(f'<text class="chart-label" x="{x + 20}" y="16">{escape(s.name)}</text>')
        x += 30 + 8 * len(s.name)
    return parts
