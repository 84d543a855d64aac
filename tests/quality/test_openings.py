"""A sentence that points back ("These", "It is also") to one the sheet cut: a warning at its passage,
cleared in the sheet by a reviewer's `reviewed_start`, and marked by `show`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from helpers.cli import cli
from helpers.project import ROOT

from factsheets.content.clinic import Clinic
from factsheets.errors import FactsheetsError
from factsheets.project import Content, Project, load_content
from factsheets.quality.checks import check_all
from factsheets.quality.openings import opener, openings, stale_reviews, warnings
from factsheets.selection.variant import Variant

CARE = "clevelandclinic-metastasis"
CHALLENGES = "What I face"  # the second section's heading; its passage is on line 9 of SHEET
SHEET = f"""id: coping
title: Coping
sections:
  - heading: Ways to cope
    passages:
      - clinic_text: Take one day at a time.
  - heading: {CHALLENGES}
    passages:
      - source: {CARE}
        section: How do I take care of myself?
        paragraphs: [1]
        items: [1, 4]
        drop_sentences: ["Being diagnosed"]
"""
CUT = "Being diagnosed with metastatic cancer comes with many challenges."
THESE = "These challenges vary from person to person, but you might:"


def _project(root: Path, sheet: str = SHEET) -> Path:
    """`root` (a scratch copy) with only the test's sheet, so a check takes seconds."""
    for path in (root / "sheets").glob("*.yaml"):
        path.unlink()
    (root / "sheets" / "coping.yaml").write_text(sheet, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("sentence", "word"),
    [
        (THESE, "These"),
        ("This is called palliative care.", "This"),
        ("It is also important to know that pain can be managed.", "It is also"),
        ("Cancer cells can also spread to the lining around the lungs.", "Cancer cells can also"),
        ("However, treatment can slow growth.", "However"),
        ("For example, a breast cancer that spreads to the liver ...", "For example"),
        ("They can grow directly into the tissue surrounding the tumor.", "They"),
        ("It includes surgery, radiation therapy, and some other treatments.", "It"),
        ("“These” in quotes still point back.", "These"),
        ("It is important to ask your doctor about the goals of treatment.", None),  # "It" as a placeholder
        ("It is possible to live for many months or years.", None),
        ("Bone metastasis may or may not cause pain.", None),
        ("In many cases, your provider will treat liver metastases the same way.", None),
        ("", None),
    ],
)
def test_a_sentence_opening_on_a_word_that_points_back(sentence: str, word: str | None) -> None:
    assert opener(sentence) == word


def test_a_cut_antecedent_is_found_with_the_sentence_it_left_out(scratch: Path) -> None:
    content = load_content(Project(_project(scratch)))
    filled = content.fill(Variant("coping"))
    (found,) = openings(filled, content.corpus)
    assert (found.opener, found.sentence, found.before) == ("These", THESE, CUT)
    assert (found.block, found.loc, found.reviewed) == (0, ("sections", 1, "passages", 0), None)
    (problem,) = warnings(filled, content.corpus)
    assert (problem.file, problem.line) == (scratch / "sheets" / "coping.yaml", 9)  # the passage's line
    assert problem.message == (
        f"'{THESE}' opens on 'These', but the sentence before it in the source is not printed before it: "
        "'Being diagnosed with metastatic cancer comes with many chal…'"
    )
    assert "reviewed_start: REASON" in problem.fix


def test_no_warning_when_the_sentence_before_it_prints_just_before_it(scratch: Path) -> None:
    """In one passage, or in the passage before it (a heading between does not break the run)."""
    whole = SHEET.replace('        drop_sentences: ["Being diagnosed"]\n', "")
    content = load_content(Project(_project(scratch, whole)))
    assert openings(content.fill(Variant("coping")), content.corpus) == []
    split = SHEET.replace(
        "  - heading: Ways to cope\n    passages:\n      - clinic_text: Take one day at a time.\n",
        f"  - heading: Ways to cope\n    passages:\n      - source: {CARE}\n"
        "        section: How do I take care of myself?\n        sentences: [1]\n        paragraphs: [1]\n",
    )
    content = load_content(Project(_project(scratch, split)))
    assert openings(content.fill(Variant("coping")), content.corpus) == []


def test_a_sentence_cut_within_a_passage_is_judged_too(scratch: Path) -> None:
    """Not only a passage's first sentence: the one after a dropped sentence in its middle."""
    sheet = SHEET.replace(f"source: {CARE}", "source: cancernet-metastasis").replace(
        "        section: How do I take care of myself?\n        paragraphs: [1]\n        items: [1, 4]\n"
        '        drop_sentences: ["Being diagnosed"]\n',
        "        section: Does treatment cure metastatic cancer?\n        paragraphs: [3]\n        drop_sentences: [2]\n",
    )
    content = load_content(Project(_project(scratch, sheet)))
    (found,) = openings(content.fill(Variant("coping")), content.corpus)  # "It is important to ask" opens on none
    assert (found.opener, found.block) == ("It is also", 0)
    assert found.before.startswith("These goals may change during your care")


def test_check_warns_at_the_line_and_a_reviewer_clears_it_in_the_sheet(scratch: Path) -> None:
    root = _project(scratch)
    result = cli("check", cwd=root)
    assert result.code == 0, result.err
    assert (
        "warning: 1 variant printing a sentence that points back ('These', 'It is also') to one the sheet cut, at "
        "sheets/coping.yaml:9 (--verbose says which; clear one that reads right with reviewed_start)"
    ) in result.err.splitlines()
    verbose = cli("check", "--verbose", cwd=root).err
    assert f"warning: coping/general: sheets/coping.yaml:9: '{THESE}' opens on 'These'" in verbose
    assert cli("check", "--strict", cwd=root).code == 1
    assert (
        f"(! opens on 'These' after a cut: the source's sentence before it, '{CUT}'"
        in cli("show", "coping", cwd=root).out
    )

    reviewed = SHEET + '        reviewed_start: "the heading names the challenges"\n'
    _project(root, reviewed)
    result = cli("check", "--strict", cwd=root)
    assert "coping.yaml:9" not in result.err
    assert "points back" not in result.err
    shown = cli("show", "coping", cwd=root).out
    assert "after a cut: the source's sentence before it" in shown
    assert "reviewed: the heading names the challenges)" in shown


def test_a_reviewed_start_that_clears_nothing_is_a_warning_at_its_line(scratch: Path) -> None:
    whole = SHEET.replace('        drop_sentences: ["Being diagnosed"]\n', '        reviewed_start: "read it"\n')
    root = _project(scratch, whole)
    (problem,) = stale_reviews(load_content(Project(root)))
    assert (problem.file, problem.line) == (root / "sheets" / "coping.yaml", 13)
    assert "reviewed_start on a passage that no variant prints after a cut" in problem.message
    assert "warning: sheets/coping.yaml:13: sheet 'coping': reviewed_start on a passage" in cli("check", cwd=root).err


def test_a_glossary_definition_is_judged_at_its_line_in_the_glossary(scratch: Path) -> None:
    """Issue 24: "palliative care" was defined by "It is also important to know that ...", cut from before."""
    glossary = scratch / "sheets" / "common" / "glossary.yaml"
    text = glossary.read_text(encoding="utf-8")
    start = text.index("  - term: palliative care")
    end = text.index("  - term:", start + 1)
    text = (
        text[:start]
        + (
            "  - term: palliative care\n    definition:\n      source: cancernet-metastasis\n"
            "      section: Does treatment cure metastatic cancer?\n      paragraphs: [3]\n"
            '      sentences: ["side effects can be managed", "This is called palliative care"]\n'
        )
        + text[end:]
    )
    glossary.write_text(text, encoding="utf-8")
    sheet = SHEET.replace("Take one day at a time.", "Ask about palliative care.").replace(
        "title: Coping\n", "title: Coping\nwords_to_know: [palliative care]\n"
    )
    content = load_content(Project(_project(scratch, sheet)))
    filled = content.fill(Variant("coping"))
    glossed = [o for o in openings(filled, content.corpus, content.common.glossary) if o.where is not filled.sheet]
    (found,) = glossed
    assert found.opener == "It is also"
    (check,) = check_all([filled], Clinic(), dt.date(2026, 1, 1), None, content.common.glossary, corpus=content.corpus)
    located = [w.about for w in check.warnings if w.kind == "opening"]
    line = text[: text.index("  - term: palliative care")].count("\n") + 2  # its "definition:"
    assert located == [f"{scratch}/sheets/coping.yaml:10", f"{scratch}/sheets/common/glossary.yaml:{line}"]


def test_clinic_text_takes_no_reviewed_start(scratch: Path) -> None:
    sheet = SHEET.replace(
        "      - clinic_text: Take one day at a time.\n",
        '      - clinic_text: Rest.\n        reviewed_start: "x y z"\n',
    )
    with pytest.raises(FactsheetsError, match="'reviewed_start' clears a warning about a selection's opening"):
        load_content(Project(_project(scratch, sheet)))


def test_the_shipped_sheets_print_no_cut_antecedent_a_reviewer_has_not_cleared(content: Content) -> None:
    """The issue's cuts (living-with's "These challenges vary", the palliative care definition's "It is
    also important to know") are gone; what is left was read and cleared in the sheet, with the reason."""
    found = [o for f in content.fill_all() for o in openings(f, content.corpus, content.common.glossary)]
    assert [o for o in found if o.reviewed is None] == []
    assert all(len(o.reviewed or "") > 40 for o in found)
    assert stale_reviews(content) == []
    assert "reviewed_start" in (ROOT / "sheets" / "sheet.schema.json").read_text(encoding="utf-8")
