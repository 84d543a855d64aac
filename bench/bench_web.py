"""Web benchmarks, run on demand: `.venv/bin/python bench/bench_web.py`. Reports ratios.

First, freshly started servers (2 workers, three starts): the time from starting `serve` to its
"Open http://" line, and the first request after that line against the warm median of the same
request (target: at most 1.3x), for one sheet and for a five-sheet packet. Then latency of
`POST /api/handouts` on a warm local server, one sheet and the packet, with one client and with
four at once, each as a ratio to the same sheets rendered directly by the library in a warm process
(which lays each copy out whole: the server's workers stamp details on kept editions). Last, the
answers per second under 20 clients posting the one-sheet request for 30 s, and how many were
"busy" refusals (503).
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
from serving import ROOT, running_server, started_server

from factsheets.content.cancer_types import find_cancer_type
from factsheets.project import Project, load_content
from factsheets.render.merging import merge
from factsheets.render.options import RenderOptions
from factsheets.render.personal import Personal
from factsheets.render.renderer import Renderer
from factsheets.selection.variant import Variant

ONE = {"sheets": ["bone"], "patient": "Bench Patient"}
FIVE = {  # no type: a type would bring its whole packet around the sheets listed (issue 22)
    "sheets": ["what-is-metastatic-cancer", "where-it-spreads", "bone", "liver", "questions"],
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


def first_request(name: str, body: dict, starts: int = 3, warm_runs: int = 10) -> None:
    """Fresh servers: start to ready, then each one's first request against its warm median (median of `starts`)."""
    ready, ratios, firsts = [], [], []
    for _ in range(starts):  # one first request is one sample: a page-cache miss can double it
        with started_server() as started:
            first, *warm = latencies(f"http://127.0.0.1:{started.port}/api/handouts", body, 1, warm_runs + 1)
        ready.append(started.ready_seconds)
        firsts.append(first)
        ratios.append(first / statistics.median(warm))
    ratio = statistics.median(ratios)
    verdict = "meets" if ratio <= FIRST_TARGET else "MISSES"
    print(
        f"{name}, {starts} fresh starts: start to ready {statistics.median(ready):.1f} s; first request "
        f"{statistics.median(firsts) * 1000:.0f} ms = {ratio:.2f}x the warm median (each start: "
        f"{', '.join(f'{r:.2f}x' for r in ratios)}; {verdict} the {FIRST_TARGET}x target)"
    )


def under_load(url: str, clients: int = 20, seconds: float = 30.0) -> tuple[int, int, float]:
    """(answers, busy refusals, seconds): each client posts ONE again as soon as it has its answer."""
    stop = time.perf_counter() + seconds

    def client(_: int) -> tuple[int, int]:
        done = busy = 0
        with httpx.Client(timeout=60) as http:
            while time.perf_counter() < stop:
                status = http.post(url, json=ONE).status_code
                done, busy = (done + 1, busy) if status == 200 else (done, busy + (status == 503))
        return done, busy

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        counts = list(pool.map(client, range(clients)))
    return sum(c[0] for c in counts), sum(c[1] for c in counts), time.perf_counter() - started


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
        answers, busy, seconds = under_load(url)
        print(
            f"20 clients, one sheet, {seconds:.0f} s: {answers / seconds:.1f} answers/s ({answers} PDFs, {busy} busy)"
        )


if __name__ == "__main__":
    main()
