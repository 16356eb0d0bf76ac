"""Jupyter's view of a result: a table and the timeline chart, inline SVG (no plotting
library needed)."""

from __future__ import annotations

import html
from typing import Any, List, Tuple


def _chart(months: List[str], values: List[float], width: int = 480, height: int = 180) -> str:
    """The cumulative probability by month as an inline SVG line chart."""
    if not values:
        return ""
    left, right, top, bottom = 44, 8, 8, 24
    top_value = max(max(values), 1e-12)
    n = len(values)

    def x(i: int) -> float:
        return left + (width - left - right) * (i / max(n - 1, 1))

    def y(v: float) -> float:
        return top + (height - top - bottom) * (1 - v / top_value)

    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    ticks = "".join(
        f'<text x="{left - 4}" y="{y(f * top_value) + 4:.1f}" text-anchor="end" font-size="10">'
        f"{100 * f * top_value:.1f}%</text>"
        for f in (0.0, 0.5, 1.0)
    )
    labels = (
        f'<text x="{left}" y="{height - 6}" font-size="10">{html.escape(months[0])}</text>'
        f'<text x="{width - right}" y="{height - 6}" font-size="10" text-anchor="end">'
        f"{html.escape(months[-1])}</text>"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="cumulative probability of a treaty by month">'
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
        f'stroke="#888"/><line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" '
        f'stroke="#888"/>{ticks}{labels}'
        f'<polyline fill="none" stroke="#1f77b4" stroke-width="2" points="{points}"/></svg>'
    )


def _estimate_table(result: Any, first: List[Tuple[str, str]]) -> str:
    """The rows ``first``, then a result's estimate, interval, trials, seed and estimator, as
    an HTML table."""
    low, high = result.ci95
    rows = first + [
        ("P(treaty before deadline)", f"{result.probability:.4%}"),
        ("standard error", f"{result.std_error:.3e}"),
        ("95% interval", f"{low:.4%} – {high:.4%}"),
        ("trials", f"{result.trials:,}"),
        ("seed", str(result.seed)),
        ("estimator", result.estimator),
    ]
    cells = "".join(f"<tr><th style='text-align:left'>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return f"<table>{cells}</table>"


def run_html(result: Any) -> str:
    """A RunResult as HTML: its summary table and the timeline's cumulative curve."""
    table = _estimate_table(result, [("scenario", html.escape(result.name))])
    return f"<div class='treatysim-run'>{table}{_timeline_chart(result.timeline)}</div>"


def _timeline_chart(timeline: Any) -> str:
    """The chart of a timeline DataFrame (none for ``None``)."""
    if timeline is None:
        return ""
    return _chart(
        [str(m) for m in timeline["month"]],
        [float(v) for v in timeline["cumulative_probability"]],
    )


def pool_html(result: Any) -> str:
    """A PoolResult as HTML: the chosen pool's summary, the pool table (every member, both
    pools) and, when the pool has one, the timeline's cumulative curve."""
    table = _estimate_table(
        result, [("pool", html.escape(result.name)), ("method", html.escape(result.method))]
    )
    members = result.table.to_html(index=False)
    return f"<div class='treatysim-pool'>{table}{members}{_timeline_chart(result.timeline)}</div>"


def tables_html(kind: str, tables: List[Any]) -> str:
    """Named tables (title, DataFrame or ``None``) one after the other, each under its title;
    ``None`` is left out."""
    parts = "".join(
        f"<p><b>{html.escape(title)}</b></p>{frame.to_html(index=False)}"
        for title, frame in tables
        if frame is not None
    )
    return f"<div class='treatysim-{html.escape(kind)}'>{parts}</div>"
