"""The `factsheets` command: parses arguments, calls the library, prints. Nothing else."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from factsheets.cli.browse import list_sheets, schema, sections, show
from factsheets.cli.new import new
from factsheets.cli.printing import build_all, packet, render, serve
from factsheets.cli.review import check, lock, report
from factsheets.errors import FactsheetsError

# Each command imports what it uses when it runs: `--help`, `list` and `show` start in a fraction
# of a second because they never load the renderer (WeasyPrint) or the reading-grade tables.


class PlainErrors(typer.core.TyperGroup):
    """Library errors become plain messages and exit code 1, never a traceback.

    Here, not in `main`, so that tests running the app in process (typer's CliRunner) see what
    a user sees. Typer already turns usage errors into exit 2 and Ctrl-C into exit 1.
    """

    def invoke(self, ctx: Any) -> Any:  # Any: typer's context class lives in a private module
        try:
            return super().invoke(ctx)
        except FactsheetsError as err:
            for problem in err.problems:
                typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=PlainErrors,
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Turn trusted cancer-information pages into one-page patient handouts.",
)


def _print_version(value: bool) -> None:
    """`factsheets --version`: the version alone, with nothing heavy imported, for bug reports and scripts."""
    if value:
        from factsheets import __version__

        typer.echo(f"factsheets {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", is_eager=True, help="Print the version and exit.", callback=_print_version)
    ] = False,
) -> None:
    """Options for the whole command: only --version, answered before any command is looked at."""


# The commands, in the order `--help` lists them.
app.command()(check)
app.command()(lock)
app.command()(report)
app.command()(show)
app.command("list")(list_sheets)
app.command()(render)
app.command()(packet)
app.command("build")(build_all)
app.command()(serve)
app.command()(sections)
app.command()(schema)
app.command()(new)


def main() -> None:
    """Entry point (the `factsheets` script)."""
    app()
