"""Jinja environments for every page the project writes (sheets, index, report, web form).

Templates come from a search path (the clinic's folder first, then the project's). A clinic
template is content, not code: it runs in Jinja's sandbox, so `{{ cycler.__init__.__globals__ }}`
and the like are refused, and it can only include files that really live in a template folder:
a symlink pointing elsewhere is refused, not followed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import IOBase
from pathlib import Path, PurePath
from types import ModuleType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from factsheets.errors import FactsheetsError, Problem


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


class _ContentSandbox(SandboxedEnvironment):
    """Jinja's sandbox, narrowed to what a handout template needs: values, not the file system."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not _readable(obj) or isinstance(value, _NEVER):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def is_safe_callable(self, obj: Any) -> bool:
        owner = getattr(obj, "__self__", None)
        return (owner is None or _readable(owner)) and super().is_safe_callable(obj)


# Values a template may look into: its own data, and the project's models and records.
_PLAIN = (str, int, float, bool, list, tuple, dict, set, frozenset, dt.date, Markup, type(None))
# What no attribute may lead to: the file system, open files, code.
_NEVER = (PurePath, IOBase, ModuleType, type)


def _readable(obj: Any) -> bool:
    module = type(obj).__module__
    return isinstance(obj, _PLAIN) or (module.startswith(("factsheets.", "jinja2.")) and not isinstance(obj, _NEVER))


def environment(template_dirs: list[Path], strict: bool = False) -> SandboxedEnvironment:
    """A sandboxed, autoescaping environment over `template_dirs` (missing folders are skipped)."""
    options: dict[str, Any] = (
        {"undefined": jinja2.StrictUndefined, "trim_blocks": True, "lstrip_blocks": True} if strict else {}
    )
    return _ContentSandbox(
        loader=_ContainedLoader([str(d) for d in template_dirs if d.is_dir()]), autoescape=True, **options
    )


@contextmanager
def template_problems() -> Iterator[None]:
    """Jinja's errors (a missing include, a syntax error, a refused attribute) as plain problems."""
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
