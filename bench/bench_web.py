"""Web benchmarks, run on demand: `.venv/bin/python bench/bench_web.py`. Reports ratios.

Latency of `POST /api/handouts` on a warm local server (2 workers), one sheet and a five-sheet
packet, with one client and with four at once, each as a ratio to the same sheets rendered
directly by the library in a warm process.
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from serving import ROOT, running_server

from factsheets.cancer_types import find_cancer_type
from factsheets.options import RenderOptions
from factsheets.packets import merge
from factsheets.personal import Personal
from factsheets.project import Project, load_content
from factsheets.render import Renderer
from factsheets.variant import Variant

ONE = {"sheets": ["bone"], "patient": "Bench Patient"}
FIVE = {
    "sheets": ["what-is-metastatic-cancer", "where-it-spreads", "bone", "liver", "questions"],
    "cancer_type": "breast",
    "patient": "Bench Patient",
}


def direct(body: dict, runs: int = 15) -> float:
    """Median seconds for the library alone: select and render each sheet, merge them with their tags."""
    project = Project(ROOT)
    content = load_content(project)
    renderer = Renderer(project)
    options = RenderOptions(personal=Personal(body["patient"]))
    ctype = find_cancer_type(body.get("cancer_type"))

    def once() -> None:
        fills = [content.fill(Variant(s, ctype)) for s in body["sheets"]]
        merge([(f.sheet.title, renderer.render(f, options).pdf) for f in fills], "bench")

    once()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        once()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def latencies(url: str, body: dict, clients: int, per_client: int) -> list[float]:
    def client(_: int) -> list[float]:
        times = []
        with httpx.Client(timeout=60) as http:
            for _ in range(per_client):
                started = time.perf_counter()
                response = http.post(url, json=body)
                response.raise_for_status()
                times.append(time.perf_counter() - started)
        return times

    with ThreadPoolExecutor(clients) as pool:
        return [t for chunk in pool.map(client, range(clients)) for t in chunk]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    with running_server() as (port, _):
        url = f"http://127.0.0.1:{port}/api/handouts"
        latencies(url, FIVE, 2, 3)  # warm both workers
        for name, body in (("one sheet", ONE), ("five-sheet packet", FIVE)):
            base = direct(body)
            for clients in (1, 4):
                times = latencies(url, body, clients, 20 if clients == 1 else 8)
                median = statistics.median(times)
                print(
                    f"{name}, {clients} client(s): median {median * 1000:.0f} ms ({median / base:.2f}x direct "
                    f"{base * 1000:.0f} ms), p95 {p95(times) * 1000:.0f} ms ({p95(times) / base:.2f}x)"
                )


if __name__ == "__main__":
    main()
