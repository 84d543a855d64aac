"""The render pool: warm worker processes, a bound on queued work, and the work they run.

A worker loads the content and renders one sheet before it takes a request; a dead worker's
pool is replaced once and the request tried again (a render has no side effects).
"""

from __future__ import annotations

import asyncio
import ctypes
import datetime as dt
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlencode

from factsheets.errors import FactsheetsError, Problem
from factsheets.patient.choice import Choice, choose_for
from factsheets.patient.fhir import Given
from factsheets.patient.packet import render_packet
from factsheets.project import Content, Project
from factsheets.render import workers
from factsheets.render.edition import LANGUAGE, edition_id
from factsheets.render.options import EDITIONS_KEPT, RenderOptions
from factsheets.render.personal import Personal
from factsheets.selection.variant import Variant

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

T = TypeVar("T")


WARM_UP_SECONDS = 120.0  # every worker must have rendered its first sheet within this, or `serve` stops
REPAIR_SECONDS = 30.0  # a health check replaces a dead pool at most this often
log = logging.getLogger("factsheets.web")


def render_handouts(choice: Choice, options: RenderOptions) -> bytes:
    """In a warm worker: each chosen sheet for the patient's type, as one tagged PDF with bookmarks."""
    return render_packet(workers.content(), workers.renderer(), choice, options)


def init_render_worker(project: Project, warm: bool, ready: Synchronized[int], content: Content | None = None) -> None:
    """A render worker's start: content and a Renderer loaded, every sheet rendered once (with `warm`), then counted.

    A process's first render pays for fonts, parsed style sheets and shaping caches, and each
    sheet's first copy for its edition (`_keep_editions`): paying them here, before the worker
    takes a request, makes the first nurse's PDF as quick as the next.
    `content`: what the server checked and serves (forked, not read again: the files may have
    changed since). Templates are read once: an edit on disk waits for a reload, and its check.
    A hangup is the server's to answer (it reloads), never a worker's.
    """
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        workers.init_worker(project, None, True, content, EDITIONS_KEPT)  # quiet: no page text logged
        workers.renderer().env.auto_reload = False
        if warm:
            render_handouts(*_warm_up(workers.content()))
            _keep_editions(workers.content())
    except FactsheetsError as err:  # the project on disk cannot print: say why in one line, not a traceback
        for problem in err.problems:
            log.error("a render worker could not start: %s", problem)
        os._exit(1)  # the pool sees a dead worker: `warm_up` stops the server, a running one tries again later
    with ready.get_lock():
        ready.value += 1


def _warm_up(content: Content) -> tuple[Choice, RenderOptions]:
    """The form's first sheet with a short name on it (one that fits any clinic's layout), as a nurse prints it."""
    choice = choose_for(content, None, [], [])
    first = [*choice.sheet_ids, *content.sheets][:1]
    return choice.as_listed(first), RenderOptions(personal=Personal("Warm Up"))


def _keep_editions(content: Content) -> None:
    """Each sheet's general variant printed once with a short name, so the worker keeps its edition (and the
    edition with a slot for a name): the first nurse to print a sheet then waits for a stamp (about 50 ms),
    not for its layout (about half a second: 11 times the next copy). About 0.3 s a sheet, before the
    worker takes a request (editions are a day's: the footer's print date is in their key); a sheet that
    cannot print is refused when asked, as before."""
    options = RenderOptions(personal=Personal("Warm Up"))
    for sheet_id in list(content.sheets)[:EDITIONS_KEPT]:
        try:
            workers.renderer().render(content.fill(Variant(sheet_id)), options)
        except Exception as err:  # noqa: BLE001 - a sheet that cannot print now is refused when asked, as before
            log.warning("warming sheet %s: %s", sheet_id, type(err).__name__)


def _nothing() -> None:
    """Submitted once per worker to start it: a pool starts its processes only when given work."""


def render_editions(choice: Choice, options: RenderOptions, now: dt.datetime, base_url: str) -> list[Given]:
    """In a warm worker: each chosen sheet as published (no personal details), described for a record."""
    if options.personal:
        raise ValueError("a record describes the sheet as published, never a patient's copy")
    given = []
    for sheet_id in choice.sheet_ids:
        filled = workers.content().fill(Variant(sheet_id, choice.cancer_type))
        rendered = workers.renderer().render(filled, options)
        given.append(
            Given(
                title=filled.sheet.title,
                sheet_id=sheet_id,
                variant_key=filled.variant.key,
                content_version=rendered.content_version,
                edition=edition_id(filled),
                pdf=rendered.pdf,
                language=LANGUAGE,
                created=now,
                url=base_url + "handout.pdf?" + urlencode(sheet_query(filled.variant, options, printed=True)),
            )
        )
    return given


def sheet_query(variant: Variant, options: RenderOptions, printed: bool = False) -> dict[str, str]:
    """The query of `GET /handout.pdf` that makes this sheet again; with `printed`, byte for byte (same date)."""
    query = {"sheet": variant.sheet_id, "cancer_type": variant.type_key}
    if printed:
        query["printed"] = options.print_date.isoformat()
    if options.paper:
        query["paper"] = options.paper
    if options.large_print:
        query["large_print"] = "true"
    return query


class RenderPool:
    """Warm worker processes with a bound on queued work.

    `start` starts every worker; each loads the content and, with `warm`, renders one sheet
    before it takes a request (`ready` counts those alive and done). If a worker dies, the pool
    is replaced once (whichever request or health check notices first), its surviving workers
    are stopped, and each affected request is tried once more on the new pool: a render has no
    side effects, so a retry loses nothing.
    """

    def __init__(
        self, project: Project, size: int, max_pending: int, warm: bool = False, content: Content | None = None
    ) -> None:
        self.project, self.size, self.max_pending, self.warm = project, size, max_pending, warm
        self.content = content  # given to each worker as it starts; None: each reads the project's
        self.pending = 0
        self.on_restart: Callable[[], object] | None = None  # told when a dead worker's pool is replaced
        self._repaired_at = -REPAIR_SECONDS  # when a health check last replaced the pool
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        self._ready: Synchronized[int] = multiprocessing.Value(ctypes.c_int, 0)  # per pool: a new one starts at 0
        return ProcessPoolExecutor(
            max_workers=self.size,
            initializer=init_render_worker,
            initargs=(self.project, self.warm, self._ready, self.content),
        )

    def start(self) -> None:
        """Start every worker now rather than at the first request; they load (and warm up) in the background."""
        for _ in range(self.size):
            self._pool.submit(_nothing)

    def warm_up(self, seconds: float = WARM_UP_SECONDS) -> None:
        """Start every worker and return once each has rendered its sheet: before the server listens.

        A worker that cannot (it logs why) or a warm-up that hangs stops the workers and raises.
        """
        self.start()
        deadline = time.monotonic() + seconds
        while not self._warm_by(deadline):
            time.sleep(0.05)

    async def warmed_up(self, seconds: float = WARM_UP_SECONDS) -> None:
        """`warm_up` for a running server (a reload): the event loop goes on answering meanwhile.

        Started from the loop's thread, as every pool is: a worker's parent-death signal follows
        the thread that started it.
        """
        self.start()
        deadline = time.monotonic() + seconds
        while not self._warm_by(deadline):
            await asyncio.sleep(0.05)

    def _warm_by(self, deadline: float) -> bool:
        """Whether every worker is warm; raises, the workers stopped, if one died or time ran out."""
        if self.ready >= self.size:
            return True
        if self._broken() or time.monotonic() > deadline:
            self._stop(self._pool, wait=True)  # joined, so nothing of the pool is left to clean up at exit
            raise FactsheetsError(
                Problem(
                    "the render workers could not start: no sheet could be rendered",
                    "the lines above say why; `factsheets render SHEET --patient NAME -o x.pdf` shows it too.",
                )
            )
        return False

    @property
    def ready(self) -> int:
        """Workers alive and warm; 0 while the pool is broken (one dead worker stops the whole pool)."""
        return 0 if self._broken() else min(len(_processes(self._pool)), self._ready.value)

    def repair(self) -> None:
        """Replace a broken pool: an instance its balancer no longer sends requests to must still heal.

        At most once per `REPAIR_SECONDS`: workers that cannot start (the project on disk broken
        since) must not be restarted on every health check.
        """
        if self._broken() and time.monotonic() - self._repaired_at >= REPAIR_SECONDS:
            self._repaired_at = time.monotonic()
            self._replace(self._pool)

    @property
    def busy(self) -> bool:
        return self.pending >= self.max_pending

    def load(self) -> tuple[int, int, int, int]:
        """(workers, ready, busy, waiting), for the metrics."""
        return self.size, self.ready, min(self.pending, self.size), max(self.pending - self.size, 0)

    def _broken(self) -> bool:
        return bool(getattr(self._pool, "_broken", False)) or not all(p.is_alive() for p in _processes(self._pool))

    async def run(self, work: Callable[..., T], *args: object) -> T:
        """`work(*args)` in a worker; retried once on a new pool if a worker died."""
        self.pending += 1
        try:
            try:
                return await self._submit(work, *args)
            except BrokenProcessPool:
                return await self._submit(work, *args)
        finally:
            self.pending -= 1

    async def _submit(self, work: Callable[..., T], *args: object) -> T:
        pool = self._pool
        try:
            return await asyncio.wrap_future(pool.submit(work, *args))
        except BrokenProcessPool:
            if pool is self._pool:
                self._replace(pool)
            raise

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        self._stop(broken)
        self._pool = self._new_pool()
        self.start()
        if self.on_restart:
            self.on_restart()

    @staticmethod
    def _stop(pool: ProcessPoolExecutor, wait: bool = False) -> None:
        stop_processes(pool, wait)

    def close(self) -> None:
        """Finish what the workers are doing, then stop them."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def stop(self) -> None:
        """Stop the workers now, whatever they are doing (a pool that will never serve)."""
        self._stop(self._pool)


def stop_processes(pool: ProcessPoolExecutor, wait: bool = False) -> None:
    """Stop a process pool now: its processes terminated, whatever they were doing, and its queue emptied."""
    for process in _processes(pool):
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=wait, cancel_futures=True)


def _processes(pool: ProcessPoolExecutor) -> list[multiprocessing.process.BaseProcess]:
    return list((getattr(pool, "_processes", None) or {}).values())  # private, but the only handle
