"""Stamping benchmark, run on demand: `.venv/bin/python bench/bench_stamp.py [RUNS]`. Reports ratios.

A web worker keeps each sheet's edition (its layout with no details) and stamps a patient's
details on it; a command lays every copy out whole. Both renderers are warm (fonts, style
sheets, fitted sizes and QR codes made), the medians of RUNS runs (default 9), for one sheet
and for the breast packet with bone (five sheets), with the same details: stamped against
fully laid out (issue 26's target: 0.1x), what the first copy of an edition costs, and a copy
with no details (the edition's PDF, written once).
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from factsheets.patient.choice import choose_for
from factsheets.patient.packet import render_packet
from factsheets.project import Content, Project, load_content
from factsheets.render.options import EDITIONS_KEPT, RenderOptions
from factsheets.render.personal import Personal
from factsheets.render.renderer import Renderer
from factsheets.selection.variant import Variant

ROOT = Path(__file__).resolve().parents[1]
OPTIONS = RenderOptions(
    print_date=dt.date(2026, 5, 1), personal=Personal("Bench Patient", "May 1, 2026", "Dr Okafor, 555-0100")
)
BLANK = RenderOptions(print_date=dt.date(2026, 5, 1))


def median_ms(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm: the edition kept, the size known, the QR codes drawn
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def first_copy_ms(content: Content, project: Project, editions: int) -> float:
    """One sheet's first copy with details on a renderer that has laid nothing out (its styles loaded)."""
    renderer = Renderer(project, editions)
    renderer.render(content.fill(Variant("liver")), RenderOptions())  # fonts and style sheets warm, not bone's
    start = time.perf_counter()
    renderer.render(content.fill(Variant("bone")), OPTIONS)
    return 1000 * (time.perf_counter() - start)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    project = Project(ROOT)
    content = load_content(project)
    stamped, full = Renderer(project, EDITIONS_KEPT), Renderer(project)
    sheet = content.fill(Variant("bone"))
    choice = choose_for(content, "breast", ["bone"], [])
    one = [median_ms(lambda r=r: r.render(sheet, OPTIONS), runs) for r in (stamped, full)]
    five = [median_ms(lambda r=r: render_packet(content, r, choice, OPTIONS), runs) for r in (stamped, full)]
    first = [first_copy_ms(content, project, n) for n in (EDITIONS_KEPT, 0)]
    blank = [median_ms(lambda r=r: r.render(sheet, BLANK), runs) for r in (stamped, full)]
    print(f"one sheet (bone): stamped {one[0]:.0f} ms vs laid out whole {one[1]:.0f} ms: {one[0] / one[1]:.2f}x")
    print(f"{choice.summary}: stamped {five[0]:.0f} ms vs whole {five[1]:.0f} ms: {five[0] / five[1]:.2f}x")
    print(
        f"first copy of an edition: {first[0]:.0f} ms vs laid out whole {first[1]:.0f} ms: {first[0] / first[1]:.2f}x"
    )
    print(f"one sheet with no details: the kept edition's PDF {blank[0]:.1f} ms vs laid out whole {blank[1]:.0f} ms")
    print("issue 26's target for the packet: 0.1x or less")


if __name__ == "__main__":
    main()
