"""The bounded sandbox every template runs in: what a clinic template may do, and how much.

A clinic template is content, not code: it runs in Jinja's sandbox, so `{{ cycler.__init__.__globals__ }}`
and the like are refused. It also runs within bounds, so that a mistake (or a hostile file) stops with a
plain error instead of hanging a build or the web form or taking all the memory: one render may take
RENDER_SECONDS, loop MAX_LOOP_STEPS times, make MAX_TEXT characters (and list items) in all, make numbers
of at most MAX_DIGITS digits and nest MAX_DEPTH calls; a range() holds at most MAX_RANGE numbers, and no
template may include itself. The checks are plain Python in the sandbox's hooks (calls, operators,
filters, loops), not a signal: renders run in worker processes and web server threads alike.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
import math
import re
import reprlib
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from contextvars import ContextVar
from dataclasses import dataclass, field
from io import IOBase
from pathlib import PurePath
from string import Formatter
from types import ModuleType
from typing import Any, TypeVar

import jinja2
from jinja2 import nodes, pass_context, pass_eval_context
from jinja2.runtime import Context, markup_join, str_join
from jinja2.sandbox import MAX_RANGE, SandboxedEnvironment, safe_range
from jinja2.utils import generate_lorem_ipsum
from jinja2.visitor import NodeTransformer
from markupsafe import Markup, soft_str

T = TypeVar("T")

RENDER_SECONDS = 5.0  # wall-clock time for one render, with the templates it includes and the macros it calls
MAX_LOOP_STEPS = 1_000_000  # loop iterations in one render, all loops together
MAX_TEXT = 20_000_000  # characters (and list items) one render may make, all values together
MAX_DIGITS = 4300  # the most digits Python itself prints (sys.get_int_max_str_digits)
MAX_DEPTH = 50  # calls nested in one another: a macro that calls itself stops here

SIMPLER = "loop over the values the template is given and keep macros simple (README: 'What a clinic folder may do')."
_SHORTER = "make the text from the values the template is given: a handout never needs this much."
_NUMBERS = "print the numbers the template is given: a handout needs no larger ones."
_LEADS_BACK = "remove the {% include %} (or import, extends) that leads back: a template may not include itself."


# --- The budget of one render ------------------------------------------------------------------------


class Limit(Exception):
    """A render went past one of its bounds; template_problems adds which template, and where."""

    def __init__(self, what: str, fix: str, template: str) -> None:
        super().__init__(what)
        self.what, self.fix, self.template = what, fix, template


@dataclass
class _Budget:
    """What one render has used so far, shared by the templates it includes and the macros it calls."""

    template: str
    deadline: float
    steps: int = 0
    text: int = 0
    depth: int = 0
    loads: dict[str, set[str]] = field(default_factory=dict)  # template -> the templates it includes

    def limit(self, what: str, fix: str = SIMPLER) -> Limit:
        return Limit(what, fix, self.template)

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise self.limit(f"took more than {RENDER_SECONDS:g} seconds to render")

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_LOOP_STEPS:
            raise self.limit(f"loops more than {MAX_LOOP_STEPS:,} times")
        self.tick()

    def check(self, size: int, what: str | Callable[[], str]) -> None:
        """Refuse, before it is made, a value that would take the render past MAX_TEXT."""
        if size > MAX_TEXT:
            long = f"{_said(what)} would be {size:,} characters long (at most {MAX_TEXT:,} in a render)"
            raise self.limit(f"makes too much text: {long}", _SHORTER)
        if self.text + size > MAX_TEXT:
            raise self.limit(
                f"makes more than {MAX_TEXT:,} characters of text in all (stopped at {_said(what)})", _SHORTER
            )

    def spend(self, size: int, what: str | Callable[[], str]) -> None:
        self.check(size, what)
        self.text += size
        self.tick()

    def load(self, parent: str, name: str) -> None:
        """`parent` includes (imports, extends) `name`: refused when that closes a circle."""
        self.loads.setdefault(parent, set()).add(name)
        back = _way(self.loads, name, parent)
        if back == [parent]:
            raise self.limit("includes itself", _LEADS_BACK)
        if back is not None:
            raise self.limit(f"is part of a circle of includes: {' → '.join([parent, *back])}", _LEADS_BACK)


def _said(what: str | Callable[[], str]) -> str:
    """What went past a bound, put into words only then: a description can cost more than the check."""
    return what() if callable(what) else what


def _way(graph: dict[str, set[str]], start: str, goal: str, seen: frozenset[str] = frozenset()) -> list[str] | None:
    """The templates on a way from `start` to `goal` along `graph`; None when there is none."""
    if start == goal:
        return [start]
    for after in sorted(graph.get(start, set()) - seen):
        rest = _way(graph, after, goal, seen | {start})
        if rest is not None:
            return [start, *rest]
    return None


_ACTIVE: ContextVar[_Budget | None] = ContextVar("factsheets_template_budget", default=None)


def _budget() -> _Budget:
    """The running render's budget; a fresh one for a hook called outside any render."""
    return _ACTIVE.get() or _Budget("(template)", time.monotonic() + RENDER_SECONDS)


class _BoundedTemplate(jinja2.Template):
    """A template whose render() runs on one budget, shared with everything it includes and calls."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        if _ACTIVE.get() is not None:  # a render inside a render: the outer one's bounds hold
            return super().render(*args, **kwargs)
        token = _ACTIVE.set(_Budget(self.name or "(string)", time.monotonic() + RENDER_SECONDS))
        try:
            return super().render(*args, **kwargs)
        finally:
            _ACTIVE.reset(token)


# --- Loops and `~`: Jinja has no hook for either, so the parsed template gets one -------------------

_STEP, _JOIN = "_factsheets_step", "_factsheets_join"
_JINJA_KWARGS = ("_loop_vars", "_block_vars")  # what Jinja adds to a call inside a loop or block, not arguments


@pass_context  # never folded into a constant at compile time
def _stepped(_context: Context, items: Iterable[T]) -> Iterator[T]:
    """A loop's items, each counted against the render's loop steps and its clock."""
    budget = _budget()
    for item in items:
        budget.step()
        yield item


@pass_eval_context
def _joined(eval_ctx: nodes.EvalContext, items: list[Any]) -> str:
    """`a ~ b`, refused before it is made when it would take the render past MAX_TEXT."""
    parts = [soft_str(item) for item in items]
    _budget().spend(sum(map(len, parts)), "'~'")
    return markup_join(parts) if eval_ctx.autoescape else str_join(parts)


class _Metered(NodeTransformer):
    """Every {% for %} steps through `_stepped`, every `~` goes through `_joined`."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Filter(node.iter, _STEP, [], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Filter(nodes.List(node.nodes, lineno=node.lineno), _JOIN, [], [], None, None, lineno=node.lineno)


# --- Sizes: what a value costs, and what a filter or method would make, known before it runs -------

_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = _REPR.maxlong = 24
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\d+|\*)?(?:\.(\d+|\*))?")


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple | dict | set | frozenset) else 0


def _count(value: Any) -> int:
    return value if isinstance(value, int) else 0


def _number(digits: str) -> int:
    return int(digits) if len(digits) <= 9 else MAX_TEXT + 1


def _text(value: Any) -> str:
    try:
        return soft_str(value)
    except ValueError:  # an int too long to print
        return "9" * (MAX_DIGITS + 1)


def _brief(value: Any) -> str:
    try:
        return _REPR.repr(value)
    except ValueError:
        return "a very large number"


def _arg(args: tuple[Any, ...], kwargs: dict[str, Any], at: int, name: str, default: Any) -> Any:
    return args[at] if len(args) > at else kwargs.get(name, default)


def _format_size(fmt: str, specs: list[str], values: list[Any]) -> int:
    """A format string's result at its largest: each field as wide as its width, or as the longest value."""
    longest = max((len(_text(v)) for v in values), default=0)
    star = max((_count(v) for v in values), default=0)  # a width taken from the values
    widths = sum(star if "*" in s or "{" in s else sum(map(_number, re.findall(r"\d+", s))) for s in specs)
    return len(fmt) + len(specs) * longest + widths


def _printf_size(fmt: Any, values: Any) -> int:
    if not isinstance(fmt, str):
        return 0
    given = list(values.values() if isinstance(values, Mapping) else values if isinstance(values, tuple) else [values])
    return _format_size(fmt, [f"{w}.{p}" for w, p in _PRINTF.findall(fmt)], given)


def _brace_size(fmt: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    if not isinstance(fmt, str):
        return 0
    given = [*args, *kwargs.values(), *(args[0].values() if args and isinstance(args[0], Mapping) else [])]
    try:
        specs = [spec or "" for _, name, spec, _ in Formatter().parse(fmt) if name is not None]
    except ValueError:  # a broken format string: the call itself says what is wrong
        return 0
    return _format_size(fmt, specs, given)


def _join_size(items: Any, sep: Any) -> int:
    if not isinstance(items, Sized) or not isinstance(items, Iterable):
        return 0
    return len(items) * len(_text(sep)) + sum(len(_text(item)) for item in items)


def _replace_size(text: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    old, new = _arg(args, kwargs, 0, "old", ""), _arg(args, kwargs, 1, "new", "")
    if not all(isinstance(v, bytes) for v in (text, old, new)):
        text, old, new = _text(text), _text(old), _text(new)
    return len(text) + (len(text) + 1 if not old else text.count(old)) * len(new)


def _indent_size(text: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    lines, width = _text(text).count("\n") + 1, _arg(args, kwargs, 0, "width", 4)
    return len(_text(text)) + lines * (len(width) if isinstance(width, str) else _count(width))


def _wordwrap_size(text: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    return len(_text(text)) * (1 + len(_text(_arg(args, kwargs, 2, "wrapstring", None) or "\n")))


def _expandtabs_size(text: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    tabs: int = text.count(b"\t" if isinstance(text, bytes) else "\t")
    return _size(text) + tabs * _count(_arg(args, kwargs, 0, "tabsize", 8))


def _translate_size(text: Any, args: tuple[Any, ...], _kwargs: dict[str, Any]) -> int:
    table = args[0] if args else None
    if not isinstance(table, Mapping):
        return 0  # bytes.translate maps byte for byte
    return len(text) * max((len(_text(v)) for v in table.values() if v is not None), default=1)


def _lipsum_size(_function: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    given = inspect.signature(generate_lorem_ipsum).bind(*args, **kwargs).arguments
    return _count(given.get("n", 5)) * max(_count(given.get("min", 20)), _count(given.get("max", 100))) * 16


def _nothing(_value: Any, _args: tuple[Any, ...], _kwargs: dict[str, Any]) -> int:
    return 0


# What the filters (|name), methods (.name) and functions whose result can be many times their input
# would make at most. Any other filter or method is refused a whole number larger than the text left
# to make: center(10**9), zfill, batch, slice, tojson(indent=...).
_GROWTH: dict[str, Callable[[Any, tuple[Any, ...], dict[str, Any]], int]] = {
    "|format": lambda v, a, k: _printf_size(v, k or a),
    ".format": _brace_size,
    ".format_map": _brace_size,
    "|join": lambda v, a, k: _join_size(v, _arg(a, k, 0, "d", "")),
    ".join": lambda v, a, _k: _join_size(a[0] if a else (), v),
    "|replace": _replace_size,
    ".replace": _replace_size,
    "|indent": _indent_size,
    "|wordwrap": _wordwrap_size,
    ".expandtabs": _expandtabs_size,
    ".translate": _translate_size,
    "lipsum": _lipsum_size,
    **dict.fromkeys(("|default", "|d", "|int", "|float", "|round", "|sum"), _nothing),  # whole numbers are values
}


def _before(budget: _Budget, name: str, value: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a filter, method or function call that would make more text than the render has left."""
    budget.tick()
    estimate = _GROWTH.get(name)
    if estimate is not None:
        budget.check(estimate(value, args, kwargs), f"{name}()")
    elif name.startswith(("|", ".")):
        largest = max((_count(v) for v in (*args, *kwargs.values())), default=0)
        budget.check(largest, f"{name}({largest})")


def _listed(value: Any) -> Any:
    """An iterable whose size must be known before a join: its items, once."""
    return value if isinstance(value, Sized) or not isinstance(value, Iterable) else list(value)


def _metered(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` as a filter that checks the clock and the text left before it runs, and charges what it made."""
    at = 0 if getattr(function, "jinja_pass_arg", None) is None else 1  # after the context, if it takes one

    @functools.wraps(function)
    def metered(*args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        if name == "join" and len(args) > at:
            args = (*args[:at], _listed(args[at]), *args[at + 1 :])
        _before(budget, f"|{name}", args[at] if len(args) > at else None, args[at + 1 :], kwargs)
        result = function(*args, **kwargs)
        budget.spend(_size(result), f"|{name}")
        return result

    return metered


# --- Operators on numbers and text ------------------------------------------------------------------


def _made_by(operator: str, left: Any, right: Any) -> int:
    """The length of text or list that `left operator right` makes (0 for numbers)."""
    sequence = (str, bytes, list, tuple)
    if operator == "*" and isinstance(left, sequence) and isinstance(right, int):
        return len(left) * right
    if operator == "*" and isinstance(left, int) and isinstance(right, sequence):
        return left * len(right)
    if operator == "+" and isinstance(left, sequence) and isinstance(right, sequence):
        return len(left) + len(right)
    if operator == "%":
        return _printf_size(left, right)
    return 0


def _digits(operator: str, left: Any, right: Any) -> float:
    """About how many digits a product or power of whole numbers has, worked out before it is made."""
    if not (isinstance(left, int) and isinstance(right, int)):
        return 0
    if operator == "*":
        return (left.bit_length() + right.bit_length()) * math.log10(2)
    if operator == "**" and right > 0 and abs(left) > 1:
        return right * math.log10(abs(left))
    return 0


# --- The sandbox ------------------------------------------------------------------------------------


class ContentSandbox(SandboxedEnvironment):
    """Jinja's sandbox, narrowed to what a handout template needs: values, not the file system; within bounds."""

    template_class = _BoundedTemplate
    intercepted_binops = frozenset({"*", "**", "+", "-", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters = {name: _metered(name, function) for name, function in self.filters.items()}
        self.filters.update({_STEP: _stepped, _JOIN: _joined})

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not _readable(obj) or isinstance(value, _NEVER):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def is_safe_callable(self, obj: Any) -> bool:
        owner = getattr(obj, "__self__", None)
        return (owner is None or _readable(owner)) and super().is_safe_callable(obj)

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        """The parsed template, its loops and `~` metered (Jinja has no public hook on the tree)."""
        tree: nodes.Template = _Metered().visit(super()._parse(source, name, filename))
        return tree

    def concat(self, parts: Iterable[str]) -> str:  # a method where Jinja has "".join
        """The output of a template, macro or {% set %} block, refused once the render has made too much."""
        budget, kept = _budget(), []
        for part in parts:
            budget.spend(len(part), "its output")
            kept.append(part)
        return "".join(kept)

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        target = getattr(obj, "__wrapped__", obj)  # str.format comes wrapped by the sandbox
        owner = getattr(target, "__self__", None)
        name = f".{getattr(target, '__name__', '')}" if owner is not None else getattr(target, "__name__", "")
        if name == ".join" and args:
            args = (_listed(args[0]), *args[1:])
        given = {key: value for key, value in kwargs.items() if key not in _JINJA_KWARGS}
        _before(budget, "lipsum" if obj is generate_lorem_ipsum else name, owner, args, given)
        if obj is safe_range:
            _check_range(budget, args)
        grown = _size(owner)
        budget.depth += 1
        try:
            if budget.depth > MAX_DEPTH:
                raise budget.limit(f"nests calls more than {MAX_DEPTH} deep (does a macro call itself?)")
            result = super().call(context, obj, *args, **kwargs)
        finally:
            budget.depth -= 1
        budget.spend(_size(result) + max(0, _size(owner) - grown), f"{name or 'a call'}()")
        return result

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        budget = _budget()
        budget.tick()

        def what() -> str:
            return f"{_brief(left)} {operator} {_brief(right)}"

        budget.check(_made_by(operator, left, right), what)
        if _digits(operator, left, right) > MAX_DIGITS:
            raise budget.limit(f"makes a number of more than {MAX_DIGITS:,} digits ({what()})", _NUMBERS)
        try:
            result = super().call_binop(context, operator, left, right)
        except OverflowError:
            raise budget.limit(f"makes a number too large to work with ({what()})", _NUMBERS) from None
        if isinstance(result, int) and result.bit_length() * math.log10(2) > MAX_DIGITS:
            raise budget.limit(f"makes a number of more than {MAX_DIGITS:,} digits ({what()})", _NUMBERS)
        budget.spend(_size(result), what)
        return result

    def getattr(self, obj: Any, attribute: str) -> Any:
        _budget().tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _budget().tick()
        return super().getitem(obj, argument)

    def get_template(
        self, name: str | jinja2.Template, parent: str | None = None, globals: Any = None
    ) -> jinja2.Template:
        template = super().get_template(name, parent, globals)
        if parent is not None:
            _budget().load(parent, template.name or str(name))
        return template

    def select_template(
        self, names: Iterable[str | jinja2.Template], parent: str | None = None, globals: Any = None
    ) -> jinja2.Template:
        template = super().select_template(names, parent, globals)
        if parent is not None:
            _budget().load(parent, template.name or "?")
        return template


def _check_range(budget: _Budget, args: tuple[Any, ...]) -> None:
    try:
        numbers = range(*args)
    except TypeError:
        return  # not whole numbers: range() itself says so
    span, step = numbers.stop - numbers.start, abs(numbers.step)
    size = (abs(span) + step - 1) // step if span * numbers.step > 0 else 0  # len() stops at 2**63
    if size > MAX_RANGE:
        count = f"{size:,}" if size < 10**12 else "over a trillion"
        raise budget.limit(f"asks for a range() of {count} numbers (at most {MAX_RANGE:,})")


# Values a template may look into: its own data, and the project's models and records.
_PLAIN = (str, int, float, bool, list, tuple, dict, set, frozenset, dt.date, Markup, type(None))
# What no attribute may lead to: the file system, open files, code.
_NEVER = (PurePath, IOBase, ModuleType, type)


def _readable(obj: Any) -> bool:
    module = type(obj).__module__
    return isinstance(obj, _PLAIN) or (module.startswith(("factsheets.", "jinja2.")) and not isinstance(obj, _NEVER))
