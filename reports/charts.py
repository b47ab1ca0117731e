"""Small server-rendered SVG charts: no JavaScript, no library, no inline
styles (colours come from classes in static/css/app.css). Each chart is an
<svg role="img"> with a <title>; the page puts the same numbers in a table
beside it for screen readers."""

from dataclasses import dataclass
from xml.sax.saxutils import escape  # nosec B406  # escapes the text we write; parses nothing

from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 560, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 16, 44


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    # (label, value, cell): a value of None is not shown, and the cell says why (see note()).
    points: list[tuple]
    kind: str = "bar"  # "bar" or "line"
    glossary_key: str = ""  # its entry in figures.FIGURES, when not its own key

    @property
    def figure(self) -> str:
        return self.glossary_key or self.key

    @property
    def svg(self) -> SafeString:
        return render(self)

    @property
    def has_data(self) -> bool:
        return any(value for _label, value, *_cell in self.points)

    @property
    def rows(self) -> list[tuple[str, float | None, str]]:
        """(label, value, what stands for a value not shown), for the chart's table."""
        return [(label, value, note(rest[0] if rest else None)) for label, value, *rest in self.points]


def note(_cell) -> str:
    """What a chart and its table say of a figure not shown (one word for every hidden
    figure: see reports.disclosure)."""
    return "hidden"


def _nice_top(largest: float) -> int:
    """A round axis maximum at or above the largest value."""
    if largest <= 5:
        return 5
    magnitude = 10 ** (len(str(int(largest))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if largest <= step * magnitude:
            return int(step * magnitude)
    return int(largest)


def render(chart: Chart) -> SafeString:
    values = [value for _label, value, *_cell in chart.points if value is not None]
    top = _nice_top(max(values, default=0))
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    title_id = f"chart-{chart.key}-title"
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{title_id}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
    ]
    for fraction in (0, 0.5, 1):  # the value axis: 0, half, top
        y = TOP + plot_height * (1 - fraction)
        parts.append(f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="chart-axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f"{_number(top * fraction)}</text>")  # fmt: skip
    count = max(len(chart.points), 1)
    slot = plot_width / count
    label_every = max(1, count // 12)  # at most about twelve labels under the axis
    line = []
    for index, (label, value, *cell) in enumerate(chart.points):
        x = LEFT + slot * index
        centre = x + slot / 2
        if index % label_every == 0:
            parts.append(f'<text class="chart-axis" x="{centre:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                         f'text-anchor="middle">{escape(label)}</text>')  # fmt: skip
        if value is None:  # a hidden figure draws no mark, only what stands for it
            marker = note(cell[0] if cell else None)
            parts.append(f'<text class="chart-axis" x="{centre:.1f}" y="{TOP + plot_height - 4}" '
                         f'text-anchor="middle">{marker}</text>')  # fmt: skip
            continue
        height = plot_height * value / top if top else 0
        y = TOP + plot_height - height
        if chart.kind == "line":
            line.append(f"{centre:.1f},{y:.1f}")
            parts.append(f'<circle class="chart-mark" cx="{centre:.1f}" cy="{y:.1f}" r="3">'
                         f"<title>{escape(label)}: {_number(value)}</title></circle>")  # fmt: skip
        else:
            width = max(slot * 0.7, 1)
            parts.append(f'<rect class="chart-bar" x="{centre - width / 2:.1f}" y="{y:.1f}" width="{width:.1f}" '
                         f'height="{height:.1f}"><title>{escape(label)}: {_number(value)}</title></rect>')  # fmt: skip
            if count <= 12:
                parts.append(f'<text class="chart-value" x="{centre:.1f}" y="{y - 4:.1f}" '
                             f'text-anchor="middle">{_number(value)}</text>')  # fmt: skip
    if line:
        parts.insert(len(parts), f'<polyline class="chart-line" points="{" ".join(line)}"/>')
    if not values:
        parts.append(f'<text class="chart-axis" x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">No data</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  # nosec B308 B703  # every text part is escaped above


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
