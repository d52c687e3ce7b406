"""Chart geometry for the report pages, drawn by `reports/_bars.html` and `_heatmap.html`.

Plain inline SVG: no script, no style attribute (colours are presentation attributes, which
the Content-Security-Policy allows; ADR 0011). Every bar segment and heat-map cell is a
link to the tickets it counts, and every chart has a table with the exact numbers beside
it. Colours have at least 3:1 contrast against white (WCAG 1.4.11).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

WIDTH = 600
LABEL_W = 180
BAR_H = 20
GAP = 6
MET = "#1f7a4a"
BREACHED = "#b3261e"
PENDING = "#7a8596"
NO_TARGET = "#5b4f9e"
VOLUME = "#2a5d9f"
AGE_COLOURS = ("#1f7a4a", "#52772a", "#8a5a00", "#b3261e", "#6d1a36")


@dataclass(frozen=True)
class Part:
    """One kind of segment: the attribute (or key) it reads, its name and colour."""

    attribute: str
    name: str
    colour: str


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    value: int
    name: str
    href: str


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    segments: list[Segment]
    total_text: str
    end_x: float


def _value(row: Any, attribute: str) -> int:
    if isinstance(row, dict):
        return int(row[attribute])
    return int(getattr(row, attribute))


def stacked(
    rows: Sequence[Any],
    parts: Sequence[Part],
    *,
    label: Callable[[Any], str],
    href: Callable[[Any, Part], str],
    text: Callable[[Any], str],
) -> dict[str, Any]:
    """A horizontal stacked bar per row, scaled to the biggest row."""
    plot = WIDTH - LABEL_W - 90
    biggest = max((sum(_value(r, p.attribute) for p in parts) for r in rows), default=0) or 1
    bars = []
    for i, row in enumerate(rows):
        x = float(LABEL_W)
        segments = []
        for part in parts:
            value = _value(row, part.attribute)
            width = plot * value / biggest
            if value:
                segments.append(
                    Segment(
                        x=round(x, 1),
                        width=round(max(width, 1.0), 1),
                        colour=part.colour,
                        value=value,
                        name=part.name,
                        href=href(row, part),
                    )
                )
            x += width
        bars.append(
            Bar(
                label=label(row)[:26],
                y=i * (BAR_H + GAP),
                segments=segments,
                total_text=text(row),
                end_x=round(x + 6, 1),
            )
        )
    height = max(1, len(rows)) * (BAR_H + GAP)
    legend = [
        {"x": LABEL_W + i * 95, "name": p.name, "colour": p.colour} for i, p in enumerate(parts)
    ]
    return {
        "bars": bars,
        "width": WIDTH,
        "height": height,
        "full_height": height + 30,
        "label_w": LABEL_W,
        "bar_h": BAR_H,
        "legend": legend,
    }


COMPLIANCE_PARTS = (
    Part("met", "met", MET),
    Part("breached", "breached", BREACHED),
    Part("pending", "pending", PENDING),
    Part("no_target", "no target", NO_TARGET),
)


def compliance(rows: Sequence[Any], href: Callable[[Any, Part], str]) -> dict[str, Any]:
    return stacked(
        rows,
        COMPLIANCE_PARTS,
        label=lambda r: r.label,
        href=href,
        text=lambda r: (
            "no tickets"
            if not r.logged
            else "none met or breached"
            if r.met_percent is None
            else f"{r.met_percent:g}% met"
        ),
    )


CELL = 20
HEAT_LEFT = 44
HEAT_TOP = 18


def heatmap(days: Sequence[tuple[str, list[dict[str, Any]]]], busiest: int) -> dict[str, Any]:
    """Seven rows (Monday first) of 24 hourly cells, darker for more tickets."""
    rows = []
    for d, (name, cells) in enumerate(days):
        out = []
        for h, cell in enumerate(cells):
            share = cell["count"] / busiest if busiest else 0
            # Five steps from pale to dark blue; the count is also in each cell's title.
            step = 0 if not cell["count"] else 1 + min(3, int(share * 4))
            out.append(
                {
                    **cell,
                    "x": HEAT_LEFT + h * CELL,
                    "y": HEAT_TOP + d * CELL,
                    "fill": HEAT_COLOURS[step],
                    "label": f"{name} {h:02d}:00",
                }
            )
        rows.append({"name": name, "y": HEAT_TOP + d * CELL + 14, "cells": out})
    return {
        "rows": rows,
        "hours": [{"x": HEAT_LEFT + h * CELL + 2, "text": f"{h:02d}"} for h in range(0, 24, 3)],
        "width": HEAT_LEFT + 24 * CELL + 4,
        "height": HEAT_TOP + 7 * CELL + 4,
        "cell": CELL - 2,
    }


HEAT_COLOURS = ("#f1f3f6", "#a9c1e0", "#6f97cc", "#2a5d9f", "#153a6b")
