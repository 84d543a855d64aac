"""Web benchmarks, run on demand: `.venv/bin/python bench/bench_web.py`. Reports ratios.

First, a freshly started server (2 workers): the time from starting `serve` to its "Open http://"
line, and the first request after that line against the warm median of the same request
(target: at most 1.3x), for one sheet and for a five-sheet packet. Then latency of
`POST /api/handouts` on a warm local server, one sheet and the packet, with one client and with
four at once, each as a ratio to the same sheets rendered directly by the library in a warm process.
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from serving import ROOT, running_server, started_server

from factsheets.cancer_types import find_cancer_type
from factsheets.merging import merge
from factsheets.options import RenderOptions
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
FIRST_TARGET = 1.3  # the first request after "ready", as a multiple of the warm median at most


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


def first_request(name: str, body: dict, warm_runs: int = 10) -> None:
    """A fresh server: start to ready, then its first request against the warm median of the same."""
    with started_server() as started:
        first, *warm = latencies(f"http://127.0.0.1:{started.port}/api/handouts", body, 1, warm_runs + 1)
    median = statistics.median(warm)
    verdict = "meets" if first <= FIRST_TARGET * median else "MISSES"
    print(
        f"{name}: start to ready {started.ready_seconds:.1f} s; first request {first * 1000:.0f} ms = "
        f"{first / median:.2f}x the warm median {median * 1000:.0f} ms ({verdict} the {FIRST_TARGET}x target)"
    )


def main() -> None:
    for name, body in (("one sheet", ONE), ("five-sheet packet", FIVE)):
        first_request(name, body)
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
