"""Server-rendered SVG bar charts: geometry computed here, drawn by the templates.

Plain SVG (no script, no inline style: colours are presentation attributes, which a
Content-Security-Policy without 'unsafe-inline' allows). Each chart has a text table
beside it for screen readers and for exact numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WIDTH = 560
LABEL_W = 170
BAR_H = 22
GAP = 8
# Colours with at least 3:1 contrast against white (graphics, WCAG 1.4.11).
MET = "#1f7a4a"
BREACHED = "#b3261e"
PENDING = "#7a8596"
LOAD = "#2a5d9f"


@dataclass
class Segment:
    x: float
    width: float
    colour: str
    value: int
    name: str


@dataclass
class Bar:
    label: str
    y: float
    segments: list[Segment]
    total_text: str
    end_x: float


def stacked(rows: list[Any], parts: list[tuple[str, str, str]], text: Any = None) -> dict[str, Any]:
    """A horizontal stacked bar per row; `parts` are (attribute, name, colour)."""
    plot = WIDTH - LABEL_W - 60
    biggest = max((sum(getattr(r, a) for a, _, _ in parts) for r in rows), default=0) or 1
    bars = []
    for i, row in enumerate(rows):
        x = float(LABEL_W)
        segments = []
        for attribute, name, colour in parts:
            value = int(getattr(row, attribute))
            width = plot * value / biggest
            if value:
                segments.append(
                    Segment(
                        x=round(x, 1), width=round(width, 1), colour=colour, value=value, name=name
                    )
                )
            x += width
        label = getattr(row, "label", "")
        bars.append(
            Bar(
                label=str(label)[:24],
                y=i * (BAR_H + GAP),
                segments=segments,
                total_text=text(row) if text else str(sum(s.value for s in segments)),
                end_x=round(x + 6, 1),
            )
        )
    height = max(1, len(rows)) * (BAR_H + GAP)
    return {
        "bars": bars,
        "width": WIDTH,
        "height": height,
        "label_w": LABEL_W,
        "bar_h": BAR_H,
        "legend": [
            {"x": LABEL_W + i * 150, "name": name, "colour": colour}
            for i, (_, name, colour) in enumerate(parts)
        ],
    }


def sla_chart(rows: list[Any]) -> dict[str, Any]:
    return stacked(
        rows,
        [("met", "met", MET), ("breached", "breached", BREACHED), ("pending", "pending", PENDING)],
        text=lambda r: "—" if r.met_percent is None else f"{r.met_percent:g}% met",
    )


@dataclass
class LoadRow:
    label: str
    held: int


def load_chart(team: list[dict[str, Any]]) -> dict[str, Any]:
    rows = [
        LoadRow(
            label=f"{t['agent'].get_full_name()}{'' if t['available'] else ' (away)'}",
            held=t["open_assigned"],
        )
        for t in team
    ]
    return stacked(rows, [("held", "open tickets held", LOAD)])
