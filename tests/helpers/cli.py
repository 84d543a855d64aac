"""Running `factsheets`: in this process (typer's CliRunner), or as a real process."""

from __future__ import annotations

import contextlib
import logging
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from helpers.project import ROOT

CLI_COMMAND = (sys.executable, "-c", "from factsheets.cli.main import main; main()")  # `factsheets`, as a real process


# --- The command line -----------------------------------------------------------------------------


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def cli(*args: str, cwd: Path = ROOT) -> CliResult:
    """Run `factsheets` in this process with typer's CliRunner, in `cwd` (--root defaults to ".").

    The app itself turns library errors into "error: ..." lines and exit code 1, so the exit code,
    stdout and stderr are what a user sees. An exception the app lets escape is shown as a real
    process shows it: a traceback on stderr and exit code 1 (so "Traceback" not in err still means
    something). What the command does to the renderer's loggers (`render --patient` quiets them)
    is undone afterwards, so it cannot hide warnings from later tests.
    """
    from typer.testing import CliRunner

    from factsheets.cli.main import app
    from factsheets.render.privacy import RENDERER_LOGGERS

    levels = {name: logging.getLogger(name).level for name in RENDERER_LOGGERS}
    try:
        with contextlib.chdir(cwd):
            result = CliRunner().invoke(app, list(args))
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    err = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        err += "".join(traceback.format_exception(result.exception))
    return CliResult(result.exit_code, result.stdout, err)


def run_cli(*args: str, cwd: Path = ROOT) -> CliResult:
    """Run `factsheets` in a real subprocess: for what only a real process shows (its logging, signals)."""
    proc = subprocess.run([*CLI_COMMAND, *args], cwd=cwd, capture_output=True, text=True, timeout=600, check=False)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)
