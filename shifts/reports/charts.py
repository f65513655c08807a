"""Accessible charts drawn on the server as inline SVG: no script, no chart library, no CDN.

Each chart has a <title> and <desc> that name it and say what it shows in words, is labelled for screen readers
(role="img", aria-labelledby), and travels with its data as a table the page prints beside it. The drawing is
320 units wide, so at 375 px its text is drawn a little larger than 16 px; wider screens cap its width in CSS.
"""

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 320
ROW = 36  # one bar of a bar chart: tall enough for 16-unit text and a gap
LABEL = 104  # room for a label of about six Chinese characters
FONT = 16
INK, BAR, BAR_SOFT, GRID = "#1a1a1a", "#0b4f9c", "#5b8fc7", "#8c8c8c"


@dataclass
class Chart:
    key: str  # unique on the page: ids of the title and description
    title: str
    desc: str
    svg: SafeString
    headers: tuple  # column headings of the data table
    rows: list  # the data table's rows: (label, text, …)


def _short(label: str, room: int) -> str:
    """A label cut to fit `room` units (a Chinese character is about one FONT wide); the table has it whole."""
    width, out = 0.0, ""
    for char in label:
        width += FONT if ord(char) > 0x2E80 else FONT * 0.6
        if width > room - FONT:
            return out + "…"
        out += char
    return out


def _frame(key: str, title: str, desc: str, height: int, body: list[str]) -> SafeString:
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{key}-title {key}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="Noto Sans CJK SC, PingFang SC, Microsoft YaHei, sans-serif" font-size="{FONT}">'
        f'<title id="{key}-title">{escape(title)}</title><desc id="{key}-desc">{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


def bar_chart(*, key: str, title: str, desc: str, bars: list[tuple[str, float, str]], headers: tuple,
              most: float | None = None) -> Chart:
    """Horizontal bars, one a row: (label, value, value as text). `most` fixes the scale (1.0 for shares)."""
    top = most if most is not None else max([value for _label, value, _text in bars] + [0])
    room = WIDTH - LABEL - 60  # the value's text sits after the bar
    body = []
    for index, (label, value, text) in enumerate(bars):
        y = 6 + index * ROW
        length = round(room * value / top, 1) if top else 0
        body.append(f'<text x="{LABEL - 6}" y="{y + 20}" text-anchor="end" fill="{INK}">{escape(_short(label, LABEL))}'
                    f'</text><rect x="{LABEL}" y="{y + 4}" width="{max(length, 1)}" height="{ROW - 10}" '
                    f'fill="{BAR}"/><text x="{LABEL + length + 6}" y="{y + 20}" fill="{INK}">{escape(text)}</text>')
    body.append(f'<line x1="{LABEL}" y1="2" x2="{LABEL}" y2="{6 + len(bars) * ROW}" stroke="{GRID}"/>')
    svg = _frame(key, title, desc, 12 + max(len(bars), 1) * ROW, body)
    return Chart(key, title, desc, svg, headers, [(label, text) for label, _value, text in bars])


def column_chart(*, key: str, title: str, desc: str, columns: list[tuple[tuple, float, str]], headers: tuple
                 ) -> Chart:
    """Columns side by side, oldest first (a month-over-month trend): ((label, second line), value, value as
    text). The second line (a year) may be empty; the table joins both lines."""
    top = max([value for _label, value, _text in columns] + [0])
    height, base, room = 240, 180, 140
    step = WIDTH / max(len(columns), 1)
    body = [f'<line x1="0" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="{GRID}"/>']
    for index, (label, value, text) in enumerate(columns):
        x = index * step
        tall = round(room * value / top, 1) if top else 0
        last = index == len(columns) - 1  # this month: the darker column
        body.append(f'<rect x="{x + step * 0.2:.1f}" y="{base - tall}" width="{step * 0.6:.1f}" height="{tall}" '
                    f'fill="{BAR if last else BAR_SOFT}"/>'
                    f'<text x="{x + step / 2:.1f}" y="{base - tall - 6}" text-anchor="middle" fill="{INK}">'
                    f'{escape(text)}</text>'
                    f'<text x="{x + step / 2:.1f}" y="{base + 24}" text-anchor="middle" fill="{INK}" '
                    f'font-size="{FONT - 2}">{escape(label[0])}</text>'
                    f'<text x="{x + step / 2:.1f}" y="{base + 46}" text-anchor="middle" fill="{INK}" '
                    f'font-size="{FONT - 2}">{escape(label[1])}</text>')
    svg = _frame(key, title, desc, height, body)
    return Chart(key, title, desc, svg, headers, [(" ".join(filter(None, reversed(label))), text)
                                                  for label, _value, text in columns])
