"""Build benchmarks, run on demand: `.venv/bin/python bench/bench_build.py`. Reports ratios.

Each figure is measured in this one run on this machine, against a scratch copy of the project,
so the ratios compare like with like. Nothing here is a test; nothing fails on a slow machine.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from weasyprint import HTML

from factsheets.build.run import build
from factsheets.project import Project, load_content
from factsheets.render.options import RenderOptions
from factsheets.render.renderer import Renderer

ROOT = Path(__file__).resolve().parents[1]


def scratch_project() -> Project:
    root = Path(tempfile.mkdtemp(prefix="factsheets-bench-"))
    for name in ("sources", "sheets", "templates", "styles", "assets"):
        shutil.copytree(ROOT / name, root / name)
    return Project(root)


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def full_builds(project: Project) -> dict[str, float]:
    """Full build with one and two workers (best of 3 each), then a no-change rebuild."""
    one = min(timed(lambda: build(project, jobs=1, force=True)) for _ in range(3))
    two = min(timed(lambda: build(project, jobs=2, force=True)) for _ in range(3))
    again = statistics.median(timed(lambda: build(project, jobs=2)) for _ in range(5))
    return {"jobs1": one, "jobs2": two, "nochange": again}


def packet_share(project: Project) -> tuple[float, float]:
    """Seconds of a full --jobs 2 build spent making the 13 packets, and the whole build's."""
    import factsheets.build.run as building

    spent = []
    original = building._build_packets

    def timed_packets(*args, **kwargs):  # a pass-through for the timer
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    building._build_packets = timed_packets
    try:
        whole = timed(lambda: build(project, jobs=2, force=True))
    finally:
        building._build_packets = original
    return spent[0], whole


def pipeline_vs_plain(project: Project) -> dict[str, float]:
    """Per sheet: our renderer (fit step, PDF/UA) vs a fresh default WeasyPrint call on the same HTML."""
    content = load_content(project)
    renderer = Renderer(project)
    fills = [content.fill(v) for v in content.variants()]
    options = RenderOptions()
    final_html = []
    for filled in fills:
        body = renderer.render(filled, options).body_pt
        css = (project.root / "styles" / "sheet.css").read_text(encoding="utf-8")
        size = f"@page {{ size: letter; }} html {{ font-size: {body}pt; }} :root {{ --accent: #1d3f6e; --small: 9pt; }}"
        html = renderer.html(filled, options).replace("</head>", f"<style>{css}\n{size}</style></head>")
        final_html.append(html)
    base = str(project.root / "templates") + "/"
    ours = [timed(lambda f=f: renderer.render(f, options)) for f in fills for _ in range(3)]
    plain = [timed(lambda h=h: HTML(string=h, base_url=base).write_pdf()) for h in final_html for _ in range(3)]
    return {"ours": statistics.median(ours), "plain": statistics.median(plain)}


def watch_latency(project: Project) -> float:
    """Seconds from saving an edit to a sheet until its PDF is replaced, with `build --watch` running."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "from factsheets.cli.main import main; main()", "build", "--watch"],
        cwd=project.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        pdf = project.out_dir / "general" / "liver.pdf"
        deadline = time.time() + 120
        while not (project.out_dir / "index.html").exists() and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)
        latencies = []
        sheet = project.root / "sheets" / "liver.yaml"
        for n in range(5):
            before = pdf.stat().st_mtime_ns
            text = sheet.read_text(encoding="utf-8")
            saved = time.perf_counter()
            sheet.write_text(
                text.replace("title: When cancer spreads to the liver", f"title: When cancer spreads to the liver {n}")
                if n == 0
                else text.replace(f"liver {n - 1}", f"liver {n}"),
                encoding="utf-8",
            )
            while pdf.stat().st_mtime_ns == before and time.perf_counter() - saved < 30:
                time.sleep(0.005)
            latencies.append(time.perf_counter() - saved)
            time.sleep(2.5)  # let packets and the index finish before the next edit
        return statistics.median(latencies)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


MEMORY_PROBE = r"""
import resource, sys
from pathlib import Path
from factsheets.project import Project, load_content
from factsheets.render.options import RenderOptions
from factsheets.render.renderer import Renderer
project = Project(Path(sys.argv[1])); content = load_content(project)
renderer = Renderer(project)
fills = [content.fill(v) for v in content.variants()]
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
samples = []
for n in range(1, 501):
    renderer.render(fills[n % len(fills)], RenderOptions())
    if n % 50 == 0:
        samples.append(rss_mb())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(peak, *samples)
"""


def worker_memory(project: Project) -> tuple[float, list[float]]:
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(project.root)], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), [float(x) for x in out[1:]]


def main() -> None:
    project = scratch_project()
    print(f"machine: {os.cpu_count()} cores; {len(load_content(project).variants())} sheet variants")
    builds = full_builds(project)
    print(
        f"full build --jobs 1: {builds['jobs1']:.2f} s; --jobs 2: {builds['jobs2']:.2f} s; "
        f"speed-up {builds['jobs1'] / builds['jobs2']:.2f}x (target >= 1.8x)"
    )
    print(
        f"no-change rebuild: {builds['nochange']:.3f} s = {builds['nochange'] / builds['jobs2']:.1%} of a full "
        f"--jobs 2 build (target < 2%)"
    )
    packets, whole = packet_share(project)
    print(
        f"packets (13, tagged merges): {packets:.2f} s of a {whole:.2f} s full --jobs 2 build ({packets / whole:.0%})"
    )
    per_sheet = pipeline_vs_plain(project)
    print(
        f"per sheet: pipeline {per_sheet['ours'] * 1000:.0f} ms vs plain WeasyPrint {per_sheet['plain'] * 1000:.0f}"
        f" ms on the same HTML: ratio {per_sheet['ours'] / per_sheet['plain']:.2f} (target <= 0.9)"
    )
    latency = watch_latency(project)
    print(
        f"watch: edit-to-PDF {latency * 1000:.0f} ms = {latency / per_sheet['ours']:.2f}x one sheet's render "
        f"(target < 1.5x)"
    )
    peak, samples = worker_memory(project)
    print(
        f"worker memory over 500 renders: peak {peak:.0f} MB; RSS every 50 renders: "
        f"{', '.join(f'{s:.0f}' for s in samples)} MB; growth from render 100 to 500: "
        f"{samples[-1] - samples[1]:+.1f} MB (target: flat, < 200 MB)"
    )
    shutil.rmtree(project.root)


if __name__ == "__main__":
    main()
