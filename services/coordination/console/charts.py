"""Charts drawn on the server as SVG (pygal), inlined in the page: no script, no remote style.

Each chart is a picture of a table the page also prints, so a screen reader and a printout lose
nothing; the SVG carries its title for assistive technology.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pygal
from markupsafe import Markup
from pygal.style import Style

# The console's palette (static/console.css), and fonts every government desktop has.
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#7b8794",
    colors=("#1c5fa8", "#2f8f4e", "#c77c02", "#b3261e", "#6b4fa0", "#0f7c8c"),
    font_family='"Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", sans-serif',
)


def bar_chart(
    title: str, categories: Sequence[str], series: Mapping[str, Sequence[float | None]]
) -> Markup:
    """Bars per category, one colour per series (e.g. each county's settled against target)."""
    return _svg(pygal.Bar, title, categories, series)


def line_chart(
    title: str, x_labels: Sequence[str], series: Mapping[str, Sequence[float | None]]
) -> Markup:
    """Lines over `x_labels` (months, years), one per series."""
    return _svg(pygal.Line, title, x_labels, series)


def _svg(
    kind: type[pygal.graph.graph.Graph],
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
) -> Markup:
    chart = kind(
        title=title,
        style=STYLE,
        js=[],  # pygal's tooltips script lives on a CDN: none on a government network
        disable_xml_declaration=True,
        explicit_size=False,
        width=720,
        height=320,
        legend_at_bottom=True,
        x_label_rotation=30 if len(labels) > 6 else 0,
        print_values=False,
    )
    chart.x_labels = list(labels)
    for name, values in series.items():
        chart.add(name, list(values))
    svg: str = chart.render(is_unicode=True)
    return Markup(svg)
