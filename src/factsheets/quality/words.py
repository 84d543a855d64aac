"""A `words_to_know` term the sheet never prints: a warning at its line, not a silent drop.

A sheet's type variants share its list, and each prints only the words its own text uses (see
`selection.select`). A word no variant uses is a typo, a word the sheet's text lost in an edit,
or one written in a form the glossary does not list: either way its definition never prints,
and the content lead should hear of it where they wrote it.
"""

from __future__ import annotations

from factsheets.errors import Problem
from factsheets.project import Content


def unused_words(content: Content) -> list[Problem]:
    """Each words_to_know term that no variant of its sheet prints, at its line in the sheet."""
    printed: dict[str, set[str]] = {}
    for filled in content.fill_all():
        printed.setdefault(filled.sheet.id, set()).update(w.term.casefold() for w in filled.words)
    return [
        sheet.problem(
            ("words_to_know", index),
            f"sheet '{sheet.id}' lists '{word}' in words_to_know but never uses it, so its definition is not printed",
            _fix(content, word),
        )
        for sheet in content.sheets.values()
        for index, word in enumerate(sheet.words_to_know)
        if word.casefold() not in printed.get(sheet.id, set())
    ]


def _fix(content: Content, word: str) -> str:
    term = content.common.glossary.term(word)
    forms = ", ".join(repr(f) for f in term.forms) if term is not None and term.forms else ""
    listed = f" (the glossary counts {forms} as the word too)" if forms else ""
    return f"remove it from words_to_know, or use the word in the sheet's text{listed}."
