"""What every sheet shares: the glossary ("Words to know") and the call to action ("When to call")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers.project import DATA, ROOT, scratch_copy

from factsheets.content.clinic import Clinic
from factsheets.content.shared import GLOSSARY, WHEN_TO_CALL, Glossary, Term, load_common
from factsheets.content.sheets import Passage, load_sheet
from factsheets.errors import FactsheetsError
from factsheets.project import Content, Project
from factsheets.quality.checks import check_variant, undefined_terms
from factsheets.render.options import RenderOptions
from factsheets.render.renderer import Renderer
from factsheets.selection.select import select

LIVER = """id: liver-words
title: Liver words
words_to_know: [metastasis]
sections:
  - heading: Signs
    passages:
      - source: clevelandclinic-metastasis
        section: What are the symptoms of metastatic cancer? > Liver metastasis
"""


def test_the_shipped_glossary_defines_each_term_once_and_every_definition_resolves(
    content: Content, tmp_path: Path
) -> None:
    glossary = content.common.glossary
    names = [t.term.casefold() for t in glossary.terms]
    assert len(names) == len(set(names)) >= 8
    for name in ("metastasis", "primary cancer", "peritoneum", "adrenal gland", "ascites", "prognosis",
                 "palliative care", "systemic therapy"):  # fmt: skip
        assert glossary.term(name) is not None, name
    path = tmp_path / "liver-words.yaml"
    every = LIVER.replace("[metastasis]", "[" + ", ".join(names) + "]") + f"      - clinic_text: {'; '.join(names)}\n"
    path.write_text(every, encoding="utf-8")  # a sheet that uses every word, so every definition prints
    filled = select(load_sheet(path), content.corpus, None, content.common)
    assert [w.term.casefold() for w in filled.words] == names
    assert all(w.group.texts for w in filled.words)
    cited = {w.group.citation.source.id for w in filled.words if w.group.citation}
    assert cited <= {s.id for s in filled.sources}  # a definition's source gets its number and QR code too


def test_a_glossary_term_used_without_its_definition_is_warned_at_its_sheet(content: Content, tmp_path: Path) -> None:
    path = tmp_path / "liver-words.yaml"
    path.write_text(LIVER, encoding="utf-8")
    filled = select(load_sheet(path), content.corpus, None, content.common)
    assert [w.term for w in filled.words] == ["metastasis"]
    assert "ascites" in undefined_terms(filled, content.common.glossary)  # "abdominal fluid (ascites)"
    assert "metastasis" not in undefined_terms(filled, content.common.glossary)
    check = check_variant(filled, Clinic(), dt.date(2026, 11, 22), None, content.common.glossary)
    assert check.name == "liver-words/general"
    assert "uses 'ascites' without defining it: add it to the sheet's words_to_know" in check.warnings


def test_a_word_printed_only_inside_a_longer_term_the_sheet_defines_needs_no_definition_of_its_own(
    content: Content, tmp_path: Path
) -> None:
    """ "metastatic" is a form of "metastasis" (issue 24: printed undefined); in "metastatic cancer",
    defined, it is part of that term, but "metastatic tumors" still needs "metastasis" defined."""
    path = tmp_path / "liver-words.yaml"
    both = (
        LIVER.replace("[metastasis]", "[metastatic cancer]")
        + "      - clinic_text: Metastatic cancer can be treated.\n"
    )
    path.write_text(both, encoding="utf-8")
    filled = select(load_sheet(path), content.corpus, None, content.common)
    assert "metastasis" in undefined_terms(filled, content.common.glossary)  # "Liver metastasis can cause pain"
    only = LIVER.replace("[metastasis]", "[metastatic cancer]").replace(
        "      - source: clevelandclinic-metastasis\n        section: What are the symptoms of metastatic cancer? > "
        "Liver metastasis\n",
        "      - clinic_text: Metastatic cancer can be treated.\n",
    )
    path.write_text(only, encoding="utf-8")
    filled = select(load_sheet(path), content.corpus, None, content.common)
    assert undefined_terms(filled, content.common.glossary) == []  # "metastatic" only in "metastatic cancer"
    path.write_text(only.replace("Metastatic cancer can be treated.", "Metastatic tumors can be treated."))
    filled = select(load_sheet(path), content.corpus, None, content.common)
    assert undefined_terms(filled, content.common.glossary) == ["metastasis"]
    defined = only.replace("[metastatic cancer]", "[metastasis]").replace("Metastatic tumors", "Metastatic cancer")
    path.write_text(defined, encoding="utf-8")  # the other way round: "metastatic" defined, "metastatic cancer" not
    filled = select(load_sheet(path), content.corpus, None, content.common)
    assert undefined_terms(filled, content.common.glossary) == ["metastatic cancer"]


def test_a_term_the_glossary_lacks_is_an_error_at_the_sheets_line(content: Content, tmp_path: Path) -> None:
    path = tmp_path / "liver-words.yaml"
    path.write_text(LIVER.replace("[metastasis]", "[metastasis, hepatology]"), encoding="utf-8")
    with pytest.raises(FactsheetsError) as raised:
        select(load_sheet(path), content.corpus, None, content.common)
    (problem,) = raised.value.problems
    assert (problem.message, problem.line) == ("'hepatology' is not in the glossary", 3)


def test_a_variant_prints_only_the_listed_words_it_uses(content: Content, tmp_path: Path) -> None:
    path = tmp_path / "liver-words.yaml"
    path.write_text(LIVER.replace("[metastasis]", "[ascites, peritoneum]"), encoding="utf-8")
    filled = select(load_sheet(path), content.corpus, None, content.common)
    assert [w.term for w in filled.words] == ["ascites"]  # the liver text says "ascites", never "peritoneum"


def test_a_term_matches_whole_words_in_any_case() -> None:
    term = Term(term="ascites", forms=["abdominal fluid"], definition=Passage(clinic_text="Fluid in the belly."))
    assert term.used_in("Abdominal fluid (Ascites) can build up.")
    assert not term.used_in("Paraascites is not a word.")


def test_a_broken_glossary_is_a_located_problem(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "common" / GLOSSARY).write_text("terms:\n  - term: x\n    definition: {}\n", encoding="utf-8")
    with pytest.raises(FactsheetsError) as raised:
        load_common(tmp_path)
    assert all(p.file == tmp_path / "common" / GLOSSARY for p in raised.value.problems)
    assert Glossary() == load_common(tmp_path / "nowhere").glossary  # no folder: an empty glossary


def test_every_shipped_variant_has_a_call_to_action_with_the_clinics_phone(content: Content) -> None:
    assert content.common.when_to_call is not None
    riverside = Renderer(Project(ROOT, DATA / "clinic"))
    neutral = Renderer(Project(ROOT, DATA / "no-clinic"))
    for variant in content.variants():
        filled = content.fill(variant)
        assert filled.when_to_call == content.common.when_to_call
        html = riverside.html(filled, RenderOptions())
        assert "Call Riverside Cancer Centre: <strong>555-0142</strong>" in html, variant
        assert "Call 911" in html
        assert 'class="write-line"' in neutral.html(filled, RenderOptions())  # no phone: a line to write it on


def test_without_the_call_to_action_file_check_warns(content: Content, tmp_path: Path) -> None:
    root = scratch_copy(tmp_path)
    (root / "sheets" / "common" / WHEN_TO_CALL).unlink()
    assert load_common(root / "sheets").when_to_call is None
    filled = select(content.sheet("liver"), content.corpus, None, load_common(root / "sheets"))
    check = check_variant(filled, Clinic(), dt.date(2026, 11, 22), None, content.common.glossary)
    assert "prints no call to action: sheets/common/when-to-call.yaml is missing" in check.warnings


def test_a_term_defined_twice_or_listed_twice_is_refused(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    twice = "terms:\n" + "  - term: ascites\n    definition:\n      clinic_text: Fluid.\n" * 2
    (tmp_path / "common" / GLOSSARY).write_text(twice, encoding="utf-8")
    with pytest.raises(FactsheetsError, match="defines ascites more than once"):
        load_common(tmp_path)
    path = tmp_path / "liver-words.yaml"
    path.write_text(LIVER.replace("[metastasis]", "[metastasis, Metastasis]"), encoding="utf-8")
    with pytest.raises(FactsheetsError, match="lists metastasis more than once"):
        load_sheet(path)


def test_a_blank_line_in_the_call_to_action_is_refused(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    call = "call_about:\n  - New symptoms.\n  - '  '\nemergency: Call 911.\n"
    (tmp_path / "common" / WHEN_TO_CALL).write_text(call, encoding="utf-8")
    with pytest.raises(FactsheetsError) as raised:
        load_common(tmp_path)
    (problem,) = raised.value.problems
    assert problem.line == 3
