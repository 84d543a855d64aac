"""The `factsheets` command: parses arguments, calls the library, prints. Nothing else."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from factsheets.cli.browse import list_sheets, schema, sections, show
from factsheets.cli.importing import import_page
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Every yes-or-no option is shown without a value: typer's help showed `--large-print <bool>`,
        and users then typed `--large-print true`, which is an error (the flag takes none)."""
        super().__init__(*args, **kwargs)
        for command in [self, *self.commands.values()]:
            for param in command.params:
                if getattr(param, "is_bool_flag", False):
                    param.metavar = ""

    def invoke(self, ctx: Any) -> Any:  # Any: typer's context class lives in a private module
        try:
            return super().invoke(ctx)
        except FactsheetsError as err:
            for problem in err.problems:
                typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=PlainErrors,
    add_completion=True,  # --install-completion and --show-completion, for bash, zsh, fish and PowerShell
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
        bool,
        typer.Option("--version", is_eager=True, help="Print the version and exit.", callback=_print_version),
    ] = False,
) -> None:
    """Options for the whole command: --version (answered before any command is looked at) and typer's
    shell completion."""


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
app.command("import")(import_page)
app.command()(schema)
app.command()(new)


def main() -> None:
    """Entry point (the `factsheets` script)."""
    app()
