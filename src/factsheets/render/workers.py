"""Warm render state for one process: content loaded once, one Renderer kept (fonts, parsed CSS).

Used as a process-pool initializer by the batch build and the web server, and in-process for
small rebuilds. Keeping this state per process is what makes the 500th render as fast, and as
small, as the 5th.

A worker holds ~180 MB (a web worker up to ~85 MB more: the editions it keeps to stamp), so
it must not outlive the process that started it: a SIGKILLed build or server would otherwise
leave its workers behind for good (they wait on a queue that no one will ever write to). A web
server's worker holds the names it prints, so it never writes a core dump (`no_core_dumps`).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import gc
import multiprocessing
import os
import resource
import signal
import sys
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from factsheets.project import Content, Project, load_content
from factsheets.render.privacy import quiet_renderer_logs

if TYPE_CHECKING:
    from factsheets.render.renderer import Renderer

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_PR_SET_DUMPABLE = 4
_POLL_SECONDS = 1.0


@dataclass
class _Warm:
    """What a process keeps between renders."""

    project: Project
    content: Content
    renderer: Renderer
    key: object = None  # what it was made for; None: always made anew


@dataclass
class _Process:
    warm: _Warm | None = None
    guarded_pid: int | None = None  # die_with_parent already ran in this process


_here = _Process()


@atexit.register
def _forget() -> None:
    """Drop the warm state while every module is still loaded: WeasyPrint removes its temporary
    font folder when the Renderer goes, and at interpreter teardown its module may be gone first."""
    _here.warm = None
    gc.collect()


def init_worker(
    project: Project, key: object = None, quiet: bool = False, content: Content | None = None, editions: int = 0
) -> None:
    """Load content and build a Renderer for this process (again only when `key` changes).

    `quiet` is for processes that print patients' names (the web server's workers): the renderer's
    logs are kept free of them, and the process writes no core dump. `content`: already loaded
    (and checked) by the parent, used as it is rather than read again. `editions`: blank layouts
    the renderer keeps to stamp patients' details on (the web server's workers; ~2.6 MB each).
    """
    die_with_parent()
    if quiet:
        quiet_renderer_logs()
        no_core_dumps()
    if key is not None and _here.warm is not None and _here.warm.key == key:
        return
    from factsheets.render.renderer import Renderer  # WeasyPrint loads in the processes that render, and only there

    _here.warm = _Warm(project, content or load_content(project), Renderer(project, editions), key)


def set_content(content: Content) -> None:
    """Use freshly loaded content (sheets and sources may change between watch rebuilds)."""
    _state().content = content


def project() -> Project:
    return _state().project


def content() -> Content:
    return _state().content


def renderer() -> Renderer:
    return _state().renderer


def _state() -> _Warm:
    if _here.warm is None:
        raise RuntimeError("init_worker() has not run in this process")
    return _here.warm


def die_with_parent() -> None:
    """In a multiprocessing worker, arrange to exit when the parent does; elsewhere, do nothing.

    Linux: the kernel sends SIGTERM when the parent dies (prctl PR_SET_PDEATHSIG); a parent that
    died before that call is caught by checking it is still our parent. Elsewhere a daemon
    thread polls the parent pid once a second. (Linux sends the signal when the parent *thread*
    that started the worker ends: pools here are started from the main or event-loop thread.)
    """
    if multiprocessing.parent_process() is None or _here.guarded_pid == os.getpid():
        return  # the main process (small rebuilds render in-process), or already done here
    _here.guarded_pid = os.getpid()
    parent = _original_parent()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a handler inherited by fork (uvicorn's) would ignore it
    if not _parent_death_signal(signal.SIGTERM):
        threading.Thread(target=follow_parent, args=(parent,), name="follow-parent", daemon=True).start()
    if os.getppid() != parent:
        os._exit(1)  # the parent is already gone: no one will ever send work


def no_core_dumps() -> None:
    """Keep this process's memory, and so the names it holds, out of core files; its children inherit this.

    A crash (a native library's SIGSEGV) would otherwise write a core file (hundreds of MB, with
    the patient's name) where the kernel's core_pattern says, or hand it to a crash collector.
    RLIMIT_CORE 0, soft and hard, stops the file; not dumpable (Linux) stops a collector too, which
    ignores the limit, and other processes of the same user reading this one's memory.
    """
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)


def _original_parent() -> int:
    """The process whose death ends this worker.

    Under fork and spawn that is the process that started it; under forkserver it is the fork
    server, which exits when that process does.
    """
    starter = multiprocessing.parent_process()
    if starter is None or starter.pid is None or multiprocessing.get_start_method(allow_none=True) == "forkserver":
        return os.getppid()
    return starter.pid


def _parent_death_signal(signum: int) -> bool:
    """Ask Linux to send `signum` when the parent dies; False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def follow_parent(parent: int, every: float = _POLL_SECONDS) -> None:
    """Exit this process once `parent` is no longer its parent (the portable fallback, run in a thread)."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)
