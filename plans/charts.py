"""Server-drawn SVG chart of weekly mean pain: geometry only, the template draws it.

The drawing is sized for a phone: the page scales the viewBox to the width it has (about 360 px
at 390 px wide), so 15-unit text (hipcare.css) stays above 12 px there. The margins hold the
labels whole: nothing is drawn outside the viewBox, which clips.
"""

import math

WIDTH, HEIGHT = 380, 190
# LEFT holds the pain labels ("10", right-aligned), RIGHT half the newest week's label, TOP half
# the top pain label, BOTTOM the week labels.
LEFT, RIGHT, TOP, BOTTOM = 30, 16, 12, 26
PAIN_TOP = 10
# At most this many week labels: at 16 weeks, every other week, always ending with the newest.
MAX_LABELS = 8


def _x(i, n):
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span / 2 if n == 1 else span * i / (n - 1))


def _y(value):
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / PAIN_TOP)


def pain_chart(points):
    """points: [(label, pain_before | None, pain_after | None)] in time order."""
    n = len(points)
    series = {}
    for key, column in (("before", 1), ("after", 2)):
        coords = [
            (round(_x(i, n), 1), round(_y(p[column]), 1))
            for i, p in enumerate(points)
            if p[column] is not None
        ]
        series[key] = {
            "line": " ".join(f"{x},{y}" for x, y in coords),
            "dots": coords if n <= 60 else [],
        }
    step = max(1, math.ceil(n / MAX_LABELS))
    labels = [(round(_x(i, n), 1), p[0]) for i, p in enumerate(points) if (n - 1 - i) % step == 0]
    grid = [(v, round(_y(v), 1)) for v in (0, 5, 10)]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "grid_label_x": LEFT - 6,
        "label_y": HEIGHT - 6,
        "series": series,
        "labels": labels,
        "grid": grid,
        "empty": not any(p[1] is not None or p[2] is not None for p in points),
    }
