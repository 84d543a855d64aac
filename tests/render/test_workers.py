"""Render workers die with the process that started them: a killed build must not leave ~180 MB
processes behind for good. Real processes, real signals; Linux (/proc) only."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.cli import CLI_COMMAND

from factsheets.build.run import build_lock

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads child processes from /proc")


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):  # the thread ended meanwhile
            found |= {int(child) for child in task.read_text().split()}
    return found


def _gone(pid: int) -> bool:
    """Exited: no such process, or a zombie waiting for init to collect it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _wait_until(condition, seconds: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


def _kill_all(pids: set[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_workers_exit_when_the_build_is_killed(scratch: Path, signum: int) -> None:
    proc = subprocess.Popen(
        [*CLI_COMMAND, "build", "--jobs", "2", "--force"],
        cwd=scratch,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: set[int] = set()
    try:
        # rendering has started: the workers are warm (initialised) and hold the build lock's file too
        assert _wait_until(
            lambda: proc.poll() is None and len(_children(proc.pid)) >= 2 and any((scratch / "out").glob("*/*.pdf")),
            120,
        ), "the build never started rendering"
        workers = _children(proc.pid)
        os.kill(proc.pid, signum)
        proc.wait(timeout=10)
        started = time.monotonic()
        assert _wait_until(lambda: all(_gone(w) for w in workers), 5), (
            f"workers still running {time.monotonic() - started:.1f} s after the build died"
        )
    finally:
        _kill_all(workers)
        proc.kill()
        proc.wait(timeout=10)
    with build_lock(scratch / "out"):  # and the lock went with them: the next build can start at once
        pass


def test_a_worker_whose_parent_died_before_it_was_ready_exits(tmp_path: Path) -> None:
    """The race prctl cannot cover: the parent was already gone when the worker asked to follow it."""
    marker = tmp_path / "still-running"
    script = (
        "import multiprocessing, os, sys, time\n"
        "from factsheets.render.workers import die_with_parent\n"
        "def worker(marker):\n"
        "    time.sleep(0.5)  # meanwhile the parent exits\n"
        "    die_with_parent()\n"
        "    open(marker, 'w').close()\n"
        "if __name__ == '__main__':\n"
        "    child = multiprocessing.get_context('fork').Process(target=worker, args=(sys.argv[1],))\n"
        "    child.start()\n"
        "    print(child.pid, flush=True)\n"
        "    os._exit(0)\n"
    )
    parent = subprocess.run(
        [sys.executable, "-c", script, str(marker)], capture_output=True, text=True, timeout=60, check=True
    )
    worker = int(parent.stdout)
    try:
        assert _wait_until(lambda: _gone(worker), 5)
        assert not marker.exists()
    finally:
        _kill_all({worker})


def test_the_polling_fallback_ends_an_orphaned_process(tmp_path: Path) -> None:
    """Where prctl is missing (macOS, BSD), a thread watches the parent pid."""
    ready = tmp_path / "watching"
    child = (
        "import os, sys, threading, time\n"
        "from factsheets.render.workers import follow_parent\n"
        "threading.Thread(target=follow_parent, args=(os.getppid(), 0.1), daemon=True).start()\n"
        "open(sys.argv[1], 'w').close()\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import subprocess, sys, time\n"
                f"p = subprocess.Popen([sys.executable, '-c', {child!r}, sys.argv[1]])\n"
                "print(p.pid, flush=True)\ntime.sleep(60)\n"
            ),
            str(ready),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    orphan = int(parent.stdout.readline())
    try:
        assert _wait_until(ready.exists, 30)
        parent.kill()
        parent.wait(timeout=10)
        assert _wait_until(lambda: _gone(orphan), 5)
    finally:
        _kill_all({orphan})
        parent.kill()
        parent.wait(timeout=10)


def test_the_main_process_is_left_alone() -> None:
    """Small rebuilds call init_worker in the build process itself: that must not tie it to its shell."""
    from factsheets.render.workers import die_with_parent

    before = signal.getsignal(signal.SIGTERM)
    die_with_parent()
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_process_that_prints_names_dumps_no_core() -> None:
    """The web server and its workers: no core file (RLIMIT_CORE 0, soft and hard) and no crash collector (not dumpable)."""
    script = (
        "import ctypes, resource\n"
        "from factsheets.render.workers import no_core_dumps\n"
        "no_core_dumps()\n"
        "print(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0), *resource.getrlimit(resource.RLIMIT_CORE))\n"  # PR_GET_DUMPABLE
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["0", "0", "0"]
