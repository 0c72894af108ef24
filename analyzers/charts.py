"""Bar charts as plain geometry for server-rendered SVG: no JavaScript, readable without CSS."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    count: int
    x: float
    y: float
    width: float
    height: float


WIDTH, HEIGHT, GAP = 560, 180, 16
ROW_HEIGHT = 30


def rows_height(bars: list[Bar]) -> int:
    """The SVG height that fits `rows(...)` bars."""
    return max(len(bars), 1) * ROW_HEIGHT


def columns(items: list[tuple[str, float, int]]) -> list[Bar]:
    """Vertical bars for (label, value, count), scaled to the largest value."""
    if not items:
        return []
    top = max(value for _, value, _ in items) or 1.0
    width = (WIDTH - GAP * (len(items) + 1)) / len(items)
    bars = []
    for index, (label, value, count) in enumerate(items):
        height = round(HEIGHT * value / top, 1)
        bars.append(Bar(label, value, count, round(GAP + index * (width + GAP), 1), round(HEIGHT - height, 1),
                        round(width, 1), height))
    return bars


def rows(items: list[tuple[str, float, int]], *, label_width: float = 150) -> list[Bar]:
    """Horizontal bars (label, value, count), scaled to the largest value."""
    if not items:
        return []
    top = max(value for _, value, _ in items) or 1.0
    room = WIDTH - label_width - 90
    return [Bar(label, value, count, label_width, index * ROW_HEIGHT, round(room * value / top, 1), 22)
            for index, (label, value, count) in enumerate(items)]


def aging_bars(financial: dict) -> list[Bar]:
    return columns([(label, bucket["residual"], bucket["count"]) for label, bucket in financial.get("aging", {}).items()])


def pipeline_bars(sales: dict) -> list[Bar]:
    return rows([(stage, data["expected_revenue"], data["count"])
                 for stage, data in sales.get("pipeline_by_stage", {}).items()])
