"""Jinja environments for every page the project writes (sheets, index, report, web form).

Templates come from a search path (the clinic's folder first, then the project's), and run in the
bounded sandbox (`sandbox.py`). A template can only include files that really live in a template
folder: a symlink pointing elsewhere is refused, not followed. Jinja's errors, and a bound passed,
become plain problems naming the template and its line.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from factsheets.errors import FactsheetsError, Problem
from factsheets.sandbox import SIMPLER, ContentSandbox, Limit


class _ContainedLoader(jinja2.FileSystemLoader):
    """FileSystemLoader that refuses a template whose real path is outside its search folder."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        real = Path(filename or "").resolve()
        if not any(real.is_relative_to(Path(folder).resolve()) for folder in self.searchpath):
            raise FactsheetsError(
                Problem(
                    f"template {template} leads outside the template folders (to {real})",
                    "replace the link with a real file inside the clinic's templates/ folder.",
                )
            )
        return source, filename, uptodate


def environment(template_dirs: list[Path], strict: bool = False) -> SandboxedEnvironment:
    """A sandboxed, autoescaping environment over `template_dirs` (missing folders are skipped)."""
    options: dict[str, Any] = (
        {"undefined": jinja2.StrictUndefined, "trim_blocks": True, "lstrip_blocks": True} if strict else {}
    )
    return ContentSandbox(
        loader=_ContainedLoader([str(d) for d in template_dirs if d.is_dir()]), autoescape=True, **options
    )


def _where(tb: TracebackType | None) -> tuple[Path | None, int | None]:
    """The innermost template line in a traceback: Jinja points a template's frames at the template file."""
    found: tuple[Path | None, int | None] = (None, None)
    for frame, line in traceback.walk_tb(tb):
        name = frame.f_code.co_filename
        if not name.endswith(".py") and Path(name).is_file():
            found = (Path(name), line)
    return found


def _stopped(what: str, fix: str, template: str | None, tb: TracebackType | None) -> FactsheetsError:
    file, line = _where(tb)
    name = file.name if file else template
    return FactsheetsError(Problem(f"template {name} {what}" if name else f"a template {what}", fix, file, line))


@contextmanager
def template_problems() -> Iterator[None]:
    """Jinja's errors (a missing include, a syntax error, a refused attribute, a bound passed) as plain problems."""
    try:
        yield
    except jinja2.TemplateNotFound as err:
        raise FactsheetsError(
            Problem(
                f"template {err.name} not found in the clinic's or the project's templates/",
                "restore it, or fix the name in the {% include %} that asks for it.",
            )
        ) from None
    except jinja2.TemplateSyntaxError as err:
        raise FactsheetsError(
            Problem(
                f"template syntax error: {err.message}",
                "fix the template at this line.",
                Path(err.filename) if err.filename else None,
                err.lineno,
            )
        ) from None
    except jinja2.exceptions.SecurityError as err:
        raise FactsheetsError(
            Problem(
                f"a template tried something templates may not do ({err})",
                "templates may only print the values they are given; remove that "
                "expression from the clinic's template.",
            )
        ) from None
    except jinja2.UndefinedError as err:
        raise FactsheetsError(
            Problem(
                f"a template uses a value that does not exist ({err.message})",
                "check the spelling against the project's own templates/.",
            )
        ) from None
    except Limit as err:
        raise _stopped(err.what, err.fix, err.template, err.__traceback__) from None
    except (RecursionError, MemoryError) as err:  # past the bounds above: a deeper stack, a smaller machine
        what = "nests calls or includes too deeply" if isinstance(err, RecursionError) else "ran out of memory"
        raise _stopped(what, SIMPLER, None, err.__traceback__) from None
