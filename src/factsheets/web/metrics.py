"""What an operator watches, in the Prometheus text format: requests, render times, workers, refusals.

One registry per app: prometheus_client's default registry is global, and tests make many
apps. Every label comes from a fixed list (the app's routes and the standard methods, as the
guard logs them: anything else is "(other path)" or "OTHER"; status numbers; three reasons), never
from what a client sent, so nothing personal can become a label and the number of series stays
bounded.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder

BUSY_REASONS = ("renders", "connections", "client")
RELOAD_RESULTS = ("ok", "refused")
RENDER_BUCKETS = (0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0, 60.0)


class Metrics:
    """An app's counters; `workers` reports (size, ready, busy, waiting) when scraped."""

    def __init__(self, workers: Callable[[], tuple[int, int, int, int]]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "factsheets_requests",
            "Requests answered, by method, route (one of the app's own, or '(other path)') and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.render_seconds = Histogram(
            "factsheets_render_seconds",
            "Time a request's renders took in the worker pool, waiting for a free worker included.",
            buckets=RENDER_BUCKETS,
            registry=self.registry,
        )
        self.sheets = Counter("factsheets_sheets_rendered", "Sheets rendered for requests.", registry=self.registry)
        self.busy = Counter(
            "factsheets_busy",
            "Requests answered 503 because the server was busy: 'renders' (too many waiting), "
            "'connections' (too many open) or 'client' (one address holding too many open).",
            ["reason"],
            registry=self.registry,
        )
        self.restarts = Counter(
            "factsheets_worker_pool_restarts",
            "Render pools replaced because a worker died.",
            registry=self.registry,
        )
        self.reloads = Counter(
            "factsheets_content_reloads",
            "Content reloads (SIGHUP, or a save under --watch), by result: 'ok' (the new content is served) or "
            "'refused' (it did not pass the check; the last good content is still served).",
            ["result"],
            registry=self.registry,
        )
        self._worker_gauges(workers)
        for reason in BUSY_REASONS:
            self.busy.labels(reason)  # present from the start, at 0, so a rate() has a baseline
        for result in RELOAD_RESULTS:
            self.reloads.labels(result)

    def _worker_gauges(self, workers: Callable[[], tuple[int, int, int, int]]) -> None:
        described = (
            ("factsheets_workers", "Render worker processes the server keeps."),
            ("factsheets_workers_ready", "Render workers alive and warm."),
            ("factsheets_workers_busy", "Render workers rendering now."),
            ("factsheets_renders_waiting", "Renders waiting for a free worker."),
        )
        for index, (name, text) in enumerate(described):
            Gauge(name, text, registry=self.registry).set_function(_item(workers, index))

    def answered(self, method: str, route: str, status: int) -> None:
        """Count one answer, method and route as the guard logged them (its `on_answer`)."""
        self.requests.labels(method, route, str(status)).inc()

    def rendered(self, sheets: int, seconds: float) -> None:
        self.sheets.inc(sheets)
        self.render_seconds.observe(seconds)

    def turned_away(self, reason: str) -> None:
        self.busy.labels(reason).inc()

    def exposition(self, accept: str) -> tuple[bytes, str]:
        """The metrics in the format the scraper asked for (Prometheus text unless it asked for OpenMetrics)."""
        encoder, content_type = choose_encoder(accept)
        return encoder(self.registry), content_type


def _item(read: Callable[[], tuple[int, ...]], index: int) -> Callable[[], float]:
    """One number of `read()`'s, read afresh at each scrape."""

    def value() -> float:
        return float(read()[index])

    return value
