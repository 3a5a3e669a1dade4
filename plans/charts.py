"""Server-drawn SVG chart of weekly mean pain: geometry only, the template draws it."""

WIDTH, HEIGHT = 600, 240
LEFT, RIGHT, TOP, BOTTOM = 34, 10, 10, 28
PAIN_TOP = 10


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
    step = max(1, n // 8)
    labels = [(round(_x(i, n), 1), p[0]) for i, p in enumerate(points) if i % step == 0]
    grid = [(v, round(_y(v), 1)) for v in (0, 5, 10)]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "label_y": HEIGHT - 8,
        "series": series,
        "labels": labels,
        "grid": grid,
        "empty": not any(p[1] is not None or p[2] is not None for p in points),
    }
