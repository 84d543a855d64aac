"""`check`'s status line: on a terminal once it has taken a while, never in piped output or CI logs."""

from __future__ import annotations

import io

from factsheets.cli.progress import status_line


class Terminal(io.StringIO):
    """What a terminal is to the status line: a stream that says it is one."""

    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_what_check_is_doing_and_the_line_is_gone_after() -> None:
    terminal = Terminal()
    with status_line("Checking", after=0, stream=terminal) as step:
        step("laying out bone/general (letter), 1 of 4")
    shown = terminal.getvalue()
    assert "Checking: laying out bone/general (letter), 1 of 4" in shown
    assert shown.rstrip().endswith("\x1b[2K")  # erased: the results are what stays on the screen


def test_a_quick_check_shows_nothing_even_on_a_terminal() -> None:
    terminal = Terminal()
    with status_line("Checking", after=600, stream=terminal) as step:
        step("reading sheets and sources")
    assert terminal.getvalue() == ""


def test_piped_output_gets_no_status_line() -> None:
    piped = io.StringIO()
    with status_line("Checking", after=0, stream=piped) as step:
        step("reading sheets and sources")
    assert piped.getvalue() == ""
