"""Clinic templates are content, not code: the sandbox refuses code, and links out of the folder are refused.

They run within bounds too: whatever a template tries, it stops with one plain error naming it, in time.
"""

from __future__ import annotations

import shutil
import time
import tracemalloc
from pathlib import Path

import pytest
from helpers.pdfs import text_of
from helpers.project import DATA, ROOT

from factsheets import sandbox
from factsheets.errors import FactsheetsError
from factsheets.project import Content, Project
from factsheets.render.options import RenderOptions
from factsheets.render.renderer import Renderer
from factsheets.selection.variant import Variant
from factsheets.templating import environment, template_problems


def _clinic_with_notes(tmp_path: Path, notes: str) -> Path:
    clinic = tmp_path / "clinic"
    shutil.copytree(DATA / "clinic", clinic)
    (clinic / "templates" / "parts" / "notes.html").write_text(notes, encoding="utf-8")
    return clinic


def _render(content: Content, clinic: Path) -> bytes:
    renderer = Renderer(Project(ROOT, clinic))
    return renderer.render(content.fill(Variant("brain")), RenderOptions()).pdf


@pytest.mark.parametrize(
    "expression",
    [
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ clinic.folder.joinpath('/etc/hostname').read_text() }}",  # a Path's own methods read and write files
        "{{ sheet.path.read_text() }}",
        "{{ clinic.logo_path.parent.joinpath('pwned.txt').write_text(personal.patient) }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ self._TemplateReference__context }}",
    ],
)
def test_a_clinic_template_cannot_run_code(tmp_path: Path, content: Content, expression: str) -> None:
    clinic = _clinic_with_notes(tmp_path, f"<p>{expression}</p>")
    with pytest.raises(FactsheetsError) as err:
        _render(content, clinic)
    message = str(err.value)
    assert "uid=" not in message, message
    assert "may not do" in message or "does not exist" in message, message


def test_a_link_out_of_the_template_folder_is_refused_without_reading_it(tmp_path: Path, content: Content) -> None:
    secret = tmp_path / "secret.html"
    secret.write_text("root:SECRET-HASH", encoding="utf-8")
    clinic = _clinic_with_notes(tmp_path, '{% include "parts/leak.html" %}')
    (clinic / "templates" / "parts" / "leak.html").symlink_to(secret)
    with pytest.raises(FactsheetsError, match="leads outside the template folders") as err:
        _render(content, clinic)
    assert "SECRET" not in str(err.value)


def test_a_missing_include_is_a_plain_error(tmp_path: Path, content: Content) -> None:
    clinic = _clinic_with_notes(tmp_path, '{% include "parts/gone.html" %}')
    with pytest.raises(FactsheetsError, match=r"template parts/gone.html not found"):
        _render(content, clinic)


def test_a_harmless_override_still_works(tmp_path: Path, content: Content) -> None:
    clinic = _clinic_with_notes(tmp_path, '<section class="notes"><h2>{{ clinic.name }} notes</h2></section>')
    assert "Riverside Cancer Centre notes" in text_of(_render(content, clinic))


# The issue's hostile clinic templates, and what each is now refused with.
HOSTILE = {
    "nested range loops": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
        "loops more than 1,000,000 times",
    ),
    "string repetition": ('{% set x = "a" * 1000000000 %}', "'a' * 1000000000 would be 1,000,000,000 characters"),
    "huge range": ("{{ range(10**9) }}", "asks for a range() of 1,000,000,000 numbers (at most 100,000)"),
    "huge power": ("{{ (2**10000000)|string }}", "makes a number of more than 4,300 digits (2 ** 10000000)"),
    "macro calling itself": ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "nests calls more than 50 deep"),
    "template including itself": ('{% include "parts/notes.html" %}', "includes itself"),
}


@pytest.mark.parametrize(("template", "words"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_template_stops_in_time_with_one_plain_error_naming_it(
    tmp_path: Path, content: Content, template: str, words: str
) -> None:
    clinic = _clinic_with_notes(tmp_path, f"<p>\n{template}</p>")
    started = time.monotonic()
    with pytest.raises(FactsheetsError) as err:
        _render(content, clinic)
    assert time.monotonic() - started < 10
    [problem] = err.value.problems
    assert problem.file is not None
    assert (problem.file.resolve(), problem.line) == ((clinic / "templates" / "parts" / "notes.html").resolve(), 2)
    assert problem.message.startswith("template notes.html "), problem.message
    assert words in problem.message, problem.message


def test_long_text_is_refused_before_it_is_made(tmp_path: Path, content: Content) -> None:
    renderer = Renderer(Project(ROOT, _clinic_with_notes(tmp_path, '{% set x = "a" * 1000000000 %}')))
    filled = content.fill(Variant("brain"))
    tracemalloc.start()
    try:
        with pytest.raises(FactsheetsError, match="1,000,000,000 characters"):
            renderer.render(filled, RenderOptions())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50_000_000  # was 3.9 GB


def test_a_slow_render_stops_at_its_deadline(tmp_path: Path, content: Content, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "RENDER_SECONDS", 0.05)  # the real bound is 5 s; the loop below is ~1 s of work
    slow = "{% for i in range(900) %}{% for j in range(1000) %}{% set x = i * j %}{% endfor %}{% endfor %}"
    started = time.monotonic()
    with pytest.raises(FactsheetsError, match=r"notes.html:1: template notes.html took more than 0.05 seconds"):
        _render(content, _clinic_with_notes(tmp_path, slow))
    assert time.monotonic() - started < 5


def _render_alone(tmp_path: Path, templates: dict[str, str]) -> str:
    """`t.html` from `templates`, rendered by the sandbox every page uses."""
    for name, text in templates.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    with template_problems():
        return environment([tmp_path], strict=True).get_template("t.html").render(items=["a", "b", "c"])


# A {% set %} block that doubles a text each time round: no operator, only the block's output.
_DOUBLING_BLOCK = (
    "{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s %}{{ ns.s }}{{ ns.s }}{% endset %}{% endfor %}"
)


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", "in all"),
        (_DOUBLING_BLOCK, "in all"),
        ("{% set l = [1] %}{% for i in range(40) %}{{ l.extend(l) }}{% endfor %}", "in all (stopped at .extend())"),
        ("{{ 'a'|center(1000000000) }}", "|center(1000000000) would be 1,000,000,000 characters"),
        ("{{ '{:>1000000000}'.format(1) }}", ".format() would be"),
        ("{{ '%1000000000d' % 1 }}", "'%1000000000d' % 1 would be"),
        ("{{ range(100000)|map('string')|join('x' * 1000000) }}", "|join() would be"),
        ("{% set s = 'x' * 100000 %}{{ s|replace('', s) }}", "|replace() would be"),
        ("{{ lipsum(1000000) }}", "lipsum() would be"),
        ("{{ [1]|batch(1000000000, 'x')|list }}", "|batch(1000000000) would be"),
        (
            "{% set ns = namespace(x=3) %}{% for i in range(30) %}{% set ns.x = ns.x * ns.x %}{% endfor %}",
            "4,300 digits",
        ),
        ("{{ 2.0 ** 100000 }}", "a number too large to work with (2.0 ** 100000)"),
        ("{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}", "nests calls more than 50 deep"),
        ('{% include "u.html" %}', "template u.html is part of a circle of includes: u.html → t.html → u.html"),
        ('{% import "t.html" as t %}', "template t.html includes itself"),
    ],
)
def test_every_way_to_make_too_much_is_refused(tmp_path: Path, template: str, words: str) -> None:
    started = time.monotonic()
    with pytest.raises(FactsheetsError) as err:
        _render_alone(tmp_path, {"t.html": template, "u.html": '{% include "t.html" %}'})
    assert time.monotonic() - started < 5
    assert words in str(err.value)


def test_what_handouts_do_is_not_refused(tmp_path: Path) -> None:
    page = (
        "{% macro box(n) %}[{{ n }}{{ caller() if caller }}]{% endmacro %}"
        "{% for x in items %}{{ loop.index }}/{{ loop.length }}{{ x }}{{ '.' if loop.last }}{% endfor %}"
        "{% for x in [] %}never{% else %} empty{% endfor %} "
        "{% for x in items if x != 'b' %}{{ x }}{% endfor %} "
        "{% for k, v in {'a': 1}.items() %}{{ k }}={{ v }}{% endfor %} "
        "{% for n in [1, [2, [3]]] recursive %}{{ loop(n) if n is iterable else n }}{% endfor %} "
        "{{ '%.1f' % 3.14159 }} {{ '{:,}'.format(123456789) }} {{ 2 ** 64 }} {{ 'ab' * 2 }} {{ items|join(', ') }} "
        "{{ 'a' ~ 1 ~ 'b' }} {% call box(7) %}!{% endcall %} {% set s %}{{ 'set' }}{% endset %}{{ s|upper }} "
        '{% include "u.html" %}{% include "u.html" %}'
    )
    assert _render_alone(tmp_path, {"t.html": page, "u.html": "u"}) == (
        "1/3a2/3b3/3c. empty ac a=1 123 3.1 123,456,789 18446744073709551616 abab a, b, c a1b [7!] SET uu"
    )
