"""Reloading content while serving: on SIGHUP (systemd's ExecReload) and, with `serve --watch`, on a save.

The server goes on answering with what it has until new content has passed. The content is
read here (in a thread: requests are answered meanwhile), checked as `check` checks it in a
process of its own (`quality.gate`), and handed to a new pool of warm workers; only then do
requests go to it, and the old pool finishes the requests it holds and stops. No request is
dropped. Content that does not pass is refused: the server keeps the last good content and
logs why, a line per problem (file, line, what is wrong; nothing of any request).

Reloads never overlap: a signal or a save during one asks for one more, after it. A file saved
while its content was being checked is checked again, never served unchecked.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from factsheets.errors import FactsheetsError, Problem, counted, display_path
from factsheets.project import Content, Project, load_content
from factsheets.quality.fit import fit_keys
from factsheets.quality.gate import gate
from factsheets.web.pool import RenderPool, stop_processes
from factsheets.web.server import notify_systemd
from factsheets.web.state import Handouts

log = logging.getLogger("factsheets.web")
WATCH_DEBOUNCE_MS = 800  # a save is often several writes (an editor's backup, the file, its rename): one reload


@dataclass(frozen=True)
class PoolSettings:
    """How each content's render pool is made: the same for the first content and every reload."""

    size: int
    max_pending: int
    warm: bool


def _now() -> str:
    return dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")


class _Changed(Exception):
    """The files changed while their content was being checked: what was read is not what was checked."""


def load_served(project: Project) -> tuple[Content, set[str]]:
    """The project's content as a server needs it (clinic and code map read), and its layouts' keys."""
    content = load_content(project)
    _ = project.clinic, content.codes  # a broken clinic.yaml or code map, at its line
    return content, fit_keys(project, content)


@dataclass
class Reloader:
    """The app's content, replaced only by content that passed; `request` asks for a reload."""

    state: Any  # the app's state (Starlette's State): `handouts` is what requests use
    settings: PoolSettings
    trusted: set[str]  # layouts of the content served, known to fit
    watched: list[Path] = field(default_factory=list)  # folders whose saves reload (serve --watch)
    loaded_at: str = field(default_factory=_now)
    _wanted: list[str] = field(default_factory=list, init=False)  # why reloads were asked for, since the last began
    _task: asyncio.Task[None] | None = field(default=None, init=False)
    _retiring: set[asyncio.Task[None]] = field(default_factory=set, init=False)

    def request(self, why: str) -> None:
        """Ask for a reload, from the event loop's thread (a signal handler, the watcher)."""
        self._wanted.append(why)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while self._wanted:
            why = ", ".join(dict.fromkeys(self._wanted))
            self._wanted.clear()
            await self.reload(why)

    async def reload(self, why: str) -> bool:
        """Check the content on disk and serve it if it passes; otherwise keep the last good content."""
        started = time.monotonic()
        notify_systemd(f"RELOADING=1\nMONOTONIC_USEC={time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000}")
        log.info("content reload (%s): checking", why)
        try:
            fresh = await self._checked()
        except _Changed:
            log.info("content reload (%s): files changed while they were checked; checking them again", why)
            self._wanted.append("files changed while checked")
            return self._ready(False, count=False)
        except FactsheetsError as err:
            self._refused(why, err.problems)
            return self._ready(False)
        old, self.state.handouts = self.state.handouts, fresh
        self.loaded_at = _now()
        content = fresh.content
        log.info(
            "content reload (%s): now serving %s and %s, checked in %.1f s",
            why,
            counted(len(content.sheets), "sheet"),
            counted(len(content.corpus.documents), "source"),
            time.monotonic() - started,
        )
        self._retire(old.pool)
        return self._ready(True)

    async def _checked(self) -> Handouts:
        """New content and its warm pool, or the problems that refuse it."""
        current: Handouts = self.state.handouts
        project = replace(current.project)  # a new Project reads the clinic and settings anew
        content, keys = await asyncio.to_thread(load_served, project)
        problems, checked = await _gate(project, self.trusted)
        if problems:
            raise FactsheetsError(problems)
        if checked != keys:
            raise _Changed
        pool = RenderPool(project, self.settings.size, self.settings.max_pending, self.settings.warm, content)
        fresh = Handouts(project, content, pool, current.metrics)
        try:
            blank: dict[str, Any] = {"sheets": [], "paper": project.clinic.paper}  # as after a bad post
            await asyncio.to_thread(fresh.form, blank)  # its templates, read and run once before they serve
            await (pool.warmed_up() if self.settings.warm else _started(pool))
        except BaseException:
            pool.stop()  # not waited for: a warm-up abandoned as the server stops must not hold it
            raise
        pool.on_restart = current.metrics.restarts.inc
        self.trusted = checked
        return fresh

    def _refused(self, why: str, problems: list[Problem]) -> None:
        for problem in problems:
            log.error("content reload (%s) refused: %s", why, problem)
        log.error(
            "content reload (%s) refused: still serving the content loaded at %s; fix the %s above, then reload again",
            why,
            self.loaded_at,
            "problem" if len(problems) == 1 else "problems",
        )

    def _ready(self, ok: bool, count: bool = True) -> bool:
        """Tell systemd the reload is over, and count it (a reload checked again is counted when it ends)."""
        if count:
            self.state.handouts.metrics.reloads.labels("ok" if ok else "refused").inc()
        last = "" if ok else "; the last reload was refused (see the log)"
        notify_systemd(f"READY=1\nSTATUS=serving the content loaded at {self.loaded_at}{last}")
        return ok

    def _retire(self, pool: RenderPool) -> None:
        """Stop the old pool once the requests it holds are answered."""
        task = asyncio.get_running_loop().create_task(_retired(pool))
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    async def watch(self, stop: asyncio.Event) -> None:
        """Reload after each save in the watched folders, until `stop` is set (serve --watch)."""
        from watchfiles import awatch

        folders = [f for f in self.watched if f.exists()]
        async for changes in awatch(*folders, stop_event=stop, debounce=WATCH_DEBOUNCE_MS, step=50):
            names = sorted(
                {display_path(Path(path)) for _, path in changes if Path(path).exists()}
            )  # not editors' temporaries
            listed = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            self.request(f"saved: {listed}" if names else "files removed")

    async def close(self) -> None:
        """The server is stopping: a reload in progress is abandoned, and old pools stopped."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._retiring):
            await task


async def _gate(project: Project, trusted: set[str]) -> tuple[list[Problem], set[str]]:
    """`quality.gate` in a fresh process (spawned, not forked: this one runs threads and an event loop)."""
    checker = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        return await asyncio.get_running_loop().run_in_executor(checker, gate, project, frozenset(trusted))
    except BrokenProcessPool:
        return [Problem("the check of the new content stopped unexpectedly", "reload again.")], set()
    finally:
        stop_processes(checker)  # done, or abandoned as the server stops: never waited for


async def _started(pool: RenderPool) -> None:
    pool.start()


async def _retired(pool: RenderPool) -> None:
    while pool.pending:
        await asyncio.sleep(0.1)
    await asyncio.to_thread(pool.close)
