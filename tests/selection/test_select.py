"""Selection: what `show` prints is the sources' words, traced to the right place, per variant."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.cli import cli
from helpers.project import scratch_copy

from factsheets.content.cancer_types import CANCER_TYPES, find_cancer_type
from factsheets.content.sheets import Sheet, load_sheet
from factsheets.errors import FactsheetsError
from factsheets.project import Content
from factsheets.selection.approval import passages, read_lock
from factsheets.selection.select import select
from factsheets.selection.sentences import sentences, tidy
from factsheets.selection.variant import Variant


def _fold(text: str) -> str:
    """Spaces folded, typography undone (curly quotes, dashes) and Markdown's bold marks gone: a sheet
    prints the words, not the marks."""
    text = text.replace("*", "")
    for tidied, plain in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2013", "-")):
        text = text.replace(tidied, plain)
    return " ".join(text.replace("\u2014", "--").split())


def test_every_shown_passage_is_verbatim_in_its_source(content: Content) -> None:
    """Parse `show`'s output for every variant; each passage must stand in the cited source file."""
    checked = 0
    for variant in content.variants():
        args = ["show", variant.sheet_id] + (["--cancer-type", variant.type_key] if variant.cancer_type else [])
        result = cli(*args)
        assert result.code == 0, result.err
        pending: list[str] = []
        for line in result.out.splitlines():
            cited = re.match(r"^    -- .*\((?P<source>[a-z0-9-]+)\.md line \d+\)$", line)
            if cited:
                body = _fold(content.corpus[cited["source"]].path.read_text(encoding="utf-8"))
                for text in pending:  # table cells, or sentences: whole ones, each word for word
                    parts = text.split(" | ") if " | " in text else sentences(text)
                    assert all(_fold(part) in body for part in parts), f"{variant}: {text!r}"
                    checked += len(parts)
                pending = []
            elif line.startswith("    -- from your care team"):
                pending = []
            elif line.startswith("    (left out: "):
                pending.append(line.strip().removeprefix("(left out: ").removesuffix(")"))
            elif line.startswith("  ") and not line.startswith("    ("):
                pending.append(line.strip())
        assert not pending, f"{variant}: passages without a citation: {pending}"
    assert checked > 150


def test_breast_variant_says_where_breast_cancer_spreads(content: Content) -> None:
    filled = content.fill(Variant.of("where-it-spreads", "breast"))
    text = filled.plain_text()
    assert "Breast | Bone, brain, liver, lung" in text
    # NCI's table is the one statement of where a type spreads: Cancer.Net's examples, printed beside it,
    # disagreed with it ("Prostate cancer tends to spread to the bones"; issue 24).
    assert "tends to spread" not in text
    assert "Lung cancer" not in text
    assert "Prostate |" not in text


def test_general_variant_shows_a_short_table_of_common_cancers(content: Content) -> None:
    """PEMAT 19: a simple table; the general sheet shows a few rows, each type's variant its own."""
    filled = content.fill(Variant("where-it-spreads"))
    rows = [b for s in filled.sections for g in s.groups for b in g.blocks if b.kind == "row"]
    assert [r.cells[0] for r in rows] == ["Breast", "Colon", "Lung", "Prostate"]


@pytest.mark.parametrize("ctype", list(CANCER_TYPES))
def test_every_type_gets_its_own_row_and_nothing_of_other_types(content: Content, ctype: str) -> None:
    filled = content.fill(Variant.of("where-it-spreads", ctype))
    rows = [b.cells[0] for s in filled.sections for g in s.groups for b in g.blocks if b.kind == "row"]
    assert rows == [CANCER_TYPES[ctype].label]
    for other in CANCER_TYPES.values():
        typed = [b.text for s in filled.sections for g in s.groups for b in g.blocks if b.kind != "row"]
        if other.key != ctype and not CANCER_TYPES[ctype].named_in(" ".join(typed)):
            assert not any(other.named_in(t) for t in typed)


SITE_SHEETS = ("bone", "brain", "liver", "lungs", "where-it-spreads")


@pytest.mark.parametrize("ctype", list(CANCER_TYPES))
def test_a_types_packet_prints_no_other_types_text_on_its_site_sheets(content: Content, ctype: str) -> None:
    """Issue 24: the lung cancer packet printed "Breast cancer tends to spread to the bones...". A sheet
    with no variant for the type prints its general sheet, which must then name no type at all."""
    mine = CANCER_TYPES[ctype]
    for sheet in SITE_SHEETS:
        filled = content.fill(Variant.of(sheet, ctype))
        for text in (t for s in filled.sections for g in s.groups for t in g.texts):
            others = [t.key for t in CANCER_TYPES.values() if t.key != ctype and t.named_in(text)]
            assert not others or mine.named_in(text), f"{filled.variant.key}: {text!r} names {others}"


def test_bone_prints_its_urgent_signs_in_the_call_box_and_nowhere_else(content: Content) -> None:
    """Issue 24: bone's spinal cord compression sat mid-paragraph under "Signs to watch for". It is the
    sheet's urgent sign (`urgent:`, printed in the When to call box under "Get help right away"), on every variant."""
    signs = ["leg numbness", "bowel or bladder control"]
    for variant in [v for v in content.variants() if v.sheet_id == "bone"]:
        filled = content.fill(variant)
        text = " ".join(t for g in filled.urgent for t in g.texts)
        assert all(sign in text for sign in signs), (variant.key, text)
        assert not any(sign in t for s in filled.sections for g in s.groups for t in g.texts for sign in signs)


@pytest.mark.parametrize(
    ("sheet", "heading", "sign"),
    [
        ("brain", "Signs to check with your doctor", "Morning headache"),
        ("lungs", "Signs to tell your care team about", "coughing up blood"),
    ],
)
def test_signs_no_source_calls_urgent_are_in_a_section_that_says_whom_to_tell(
    content: Content, sheet: str, heading: str, sign: str
) -> None:
    """Issue 24 review: brain's "new symptoms ... right away" and lungs' warning signs under "Get help right away"
    sent the same sign two ways (the box also says to call the care team about new symptoms; lungs' own tips
    are for shortness of breath at home). Neither source says to act right away, so they have no urgent signs,
    and their signs open a section that says whom to tell."""
    filled = content.fill(Variant(sheet))
    assert not filled.urgent
    holding = [s.heading for s in filled.sections if any(sign in t for g in s.groups for t in g.texts)]
    assert holding == [heading]


def test_liver_prints_its_signs_in_one_section_that_asks_the_reader_to_call(content: Content) -> None:
    """No liver source names a sign that needs care right away, so liver has no urgent signs, and no heading
    makes weight loss or nausea an emergency (it once printed them under "Signs to call about right away").
    Issue 24 all the same: its signs print in one section of their own, never mid-paragraph, under a
    heading that asks the reader to call."""
    filled = content.fill(Variant("liver"))
    assert not filled.urgent
    holding = [s for s in filled.sections if any("jaundice" in t for g in s.groups for t in g.texts)]
    assert [s.heading for s in holding] == ["Call your care team if you have these signs"]
    (text,) = (t for g in holding[0].groups for t in g.texts)
    assert "abdominal fluid" in text
    assert text.startswith("Liver metastasis can cause")


def test_tumor_marker_variant_keeps_only_its_marker(content: Content) -> None:
    text = content.fill(Variant.of("tests-for-metastasis", "prostate")).plain_text()
    assert "Prostate cancer: PSA (prostate-specific antigen)." in text
    assert "CA-125" not in text
    assert "CEA" not in text


def test_type_a_sheet_does_not_vary_by_gives_the_general_sheet(content: Content) -> None:
    filled = content.fill(Variant.of("bone", "colon"))  # bone varies by breast and prostate cancer only
    assert filled.cancer_type is None
    assert filled.variant == Variant("bone")
    assert filled.variant.type_key == "general"


def test_unknown_cancer_type_lists_the_known_ones() -> None:
    with pytest.raises(FactsheetsError) as err:
        find_cancer_type("brest")
    assert str(err.value) == f"unknown cancer type 'brest' Fix: use one of: {', '.join(CANCER_TYPES)}."


def test_cli_unknown_sheet_and_type_exit_1_without_traceback() -> None:
    result = cli("show", "where-it-spread")
    assert result.code == 1
    assert result.err.startswith("error: unknown sheet 'where-it-spread' Fix: use one of: ")
    result = cli("show", "where-it-spreads", "--cancer-type", "brest")
    assert result.code == 1
    assert "unknown cancer type 'brest'" in result.err
    assert "Traceback" not in result.err


def test_citations_point_at_the_source_line(content: Content) -> None:
    filled = content.fill(Variant("bone"))
    for section in filled.sections:
        for group in section.groups:
            assert group.citation is not None
            lines = (
                group.citation.source
                and content.corpus[group.citation.source.id].path.read_text(encoding="utf-8").splitlines()
            )
            assert _fold(group.blocks[0].text.split(" | ")[0])[:20] in _fold(lines[group.citation.line - 1])


# --- Sentence-level selection --------------------------------------------------------------------

WHAT_IS = "What Is Metastatic Cancer?"  # NCI's first paragraph there has three sentences
NCI_FIRST = (
    "Cancer that spreads from where it started to a distant part of the body is called metastatic cancer.",
    "For many types of cancer, it is also called stage 4 cancer.",
    "The process by which cancer cells spread to other parts of the body is called metastasis.",
)


def _one_passage_sheet(tmp_path: Path, passage: str) -> Sheet:
    """A sheet 'picked' printing NCI's first paragraph of "What Is Metastatic Cancer?", picked by `passage`."""
    return _sheet(tmp_path, WHAT_IS, "        paragraphs: [1]\n" + passage, "picked")


@pytest.mark.parametrize(
    ("picks", "kept"),
    [
        ("        drop_sentences: [2]\n", (0, 2)),
        ("        sentences: [1, 3]\n", (0, 2)),
        ("        sentences: ['is called metastasis']\n", (2,)),
        ("        drop_sentences: ['STAGE 4']\n", (0, 2)),  # a phrase in any case
        ("        sentences: [1, 2, 3]\n        drop_sentences: [1]\n", (1, 2)),
    ],
)
def test_a_passage_prints_exactly_the_sentences_it_keeps(
    content: Content, tmp_path: Path, picks: str, kept: tuple[int, ...]
) -> None:
    filled = select(_one_passage_sheet(tmp_path, picks), content.corpus, None)
    (group,) = filled.sections[0].groups
    assert group.texts == (" ".join(NCI_FIRST[i] for i in kept),)
    assert group.left_out == (tuple(s for i, s in enumerate(NCI_FIRST) if i not in kept),)
    assert group.citation is not None
    assert group.citation.line == 31  # still cited at the paragraph's line


@pytest.mark.parametrize(
    ("picks", "words"),
    [
        ("        drop_sentences: [1, 2, 3]\n", "the sentence picks keep nothing of paragraph 1"),
        ("        sentences: []\n", "List should have at least 1 item"),
    ],
)
def test_a_passage_that_would_print_nothing_is_an_error_not_a_gap(
    content: Content, tmp_path: Path, picks: str, words: str
) -> None:
    """Medical text is never dropped silently: leaving a whole paragraph out is said with `paragraphs`."""
    with pytest.raises(FactsheetsError, match=re.escape(words)):
        select(_one_passage_sheet(tmp_path, picks), content.corpus, None)


def test_a_phrase_copied_from_show_matches_the_source_however_its_quotes_are_written(
    content: Content, tmp_path: Path
) -> None:
    path = tmp_path / "pet.yaml"
    path.write_text(
        "id: pet\ntitle: PET\nsections:\n  - heading: Scans\n    passages:\n"
        "      - source: clevelandclinic-metastasis\n        section: Imaging tests\n        contains: [PET scan]\n"
        "        sentences: ['\u201clight up\u201d problematic areas']\n",  # curly, as show prints; straight in the source
        encoding="utf-8",
    )
    (group,) = select(load_sheet(path), content.corpus, None).sections[0].groups
    assert group.texts[0].startswith("It uses a special dye")


SITES = "Common Sites Where Cancer Spreads"  # NCI's table: a row per cancer type


def _sheet(tmp_path: Path, section: str, narrowing: str, sheet_id: str = "typo") -> Sheet:
    """A one-passage sheet from NCI's `section`, narrowed by the lines of `narrowing`."""
    path = tmp_path / f"{sheet_id}.yaml"
    path.write_text(
        f"id: {sheet_id}\ntitle: One passage\nsections:\n  - heading: Where\n    passages:\n"
        f"      - source: nci-metastatic-cancer\n        section: {section}\n{narrowing}",
        encoding="utf-8",
    )
    return load_sheet(path)


@pytest.mark.parametrize(
    ("section", "narrowing", "typo", "message", "fix"),
    [
        (
            SITES,
            "        rows: [Kidney, Lugn, Prostate]\n",
            "Lugn",
            f"rows: no row 'Lugn' in the table of 'Where Cancer Spreads > {SITES}' (nci-metastatic-cancer)",
            "did you mean 'Lung'?",
        ),
        (
            SITES,
            "        contains: [adrenal, zzzz]\n",
            "zzzz",
            "contains: nothing selected from",
            "check the spelling against nci-metastatic-cancer.md (line 56), or remove it.",
        ),
        (SITES, "        contains: [adrenal, adrenl]\n", "adrenl", "contains 'adrenl'", "did you mean 'adrenal'?"),
        (
            WHAT_IS,
            "        paragraphs: [1]\n        sentences: [1, 4]\n",
            "4",
            "sentences: there is no sentence 4",
            "use a position from 1 to 3",
        ),
        (
            WHAT_IS,
            "        paragraphs: [1]\n        drop_sentences: [2, 'stage 5 cancer']\n",
            "'stage 5 cancer'",
            "drop_sentences: no sentence of the selection contains 'stage 5 cancer'",
            "check the phrase",
        ),
    ],
    ids=["rows", "contains", "contains-close", "sentences-out-of-range", "drop_sentences"],
)
def test_a_typo_in_each_list_kind_is_an_error_at_its_own_entry(
    content: Content, tmp_path: Path, section: str, narrowing: str, typo: str, message: str, fix: str
) -> None:
    """One entry that matches nothing fails, though the others match: the rest would print without it."""
    sheet = _sheet(tmp_path, section, narrowing)
    with pytest.raises(FactsheetsError) as raised:
        select(sheet, content.corpus, None)
    (problem,) = raised.value.problems
    lines = sheet.path.read_text(encoding="utf-8").splitlines() if sheet.path else []
    line = next(n for n, text in enumerate(lines, start=1) if typo in text.split(":", 1)[-1])
    assert (problem.file, problem.line, problem.column) == (sheet.path, line, lines[line - 1].index(typo) + 1)
    assert message in problem.message
    assert fix in problem.fix
    assert f"typo.yaml:{line}:{problem.column}: " in str(problem)


def test_every_entry_that_matches_nothing_is_reported_at_once(content: Content, tmp_path: Path) -> None:
    sheet = _sheet(tmp_path, SITES, "        rows: [Lugn, Breast, Kidny]\n        contains: [bone, zzzz]\n")
    with pytest.raises(FactsheetsError) as raised:
        select(sheet, content.corpus, None)
    assert [(p.line, p.column) for p in raised.value.problems] == [(8, 16), (8, 30), (9, 26)]
    assert raised.value.problems[0].fix.startswith("use a row of the table (Bladder, Breast, Colon, Kidney, Lung,")
    assert raised.value.problems[0].fix.endswith("Uterus); did you mean 'Lung'?")


def test_rows_from_a_section_without_a_table_say_so(content: Content, tmp_path: Path) -> None:
    sheet = _sheet(tmp_path, WHAT_IS, "        rows: [Breast]\n")
    with pytest.raises(
        FactsheetsError, match=f"rows: '{re.escape(WHAT_IS)}' in nci-metastatic-cancer has no table rows"
    ):
        select(sheet, content.corpus, None)


def test_a_typo_fails_check_at_its_line_without_a_traceback(tmp_path: Path) -> None:
    root = scratch_copy(tmp_path / "project")
    sheet = root / "sheets" / "where-it-spreads.yaml"
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(text.replace("rows: [Breast, Colon, Lung, Prostate]", "rows: [Breast, Colon, Lugn, Prostate]"))
    line = next(n for n, t in enumerate(text.splitlines(), start=1) if "rows: [Breast, Colon, Lung" in t)
    result = cli("check", cwd=root)
    assert result.code == 1
    assert f"error: sheets/where-it-spreads.yaml:{line}:31: rows: no row 'Lugn'" in result.err
    assert "Traceback" not in result.err


def test_show_and_the_lock_say_which_sentences_were_left_out(tmp_path: Path) -> None:
    root = scratch_copy(tmp_path / "project")
    (root / "sheets" / "picked.yaml").write_text(
        _one_passage_sheet(tmp_path, "        drop_sentences: [2]\n").path.read_text(encoding="utf-8"), encoding="utf-8"
    )
    shown = cli("show", "picked", cwd=root)
    assert shown.code == 0, shown.err
    assert f"  {NCI_FIRST[0]} {NCI_FIRST[2]}\n    (left out: {NCI_FIRST[1]})\n" in shown.out
    locked = cli("lock", "--approved-by", "Education Committee", cwd=root)
    assert locked.code == 0, locked.err
    lock = read_lock(root / "sheets")
    assert lock is not None
    (row,) = [r for r in lock.variants["picked/general"] if r.section == WHAT_IS]
    assert (row.text, row.left_out) == (f"{NCI_FIRST[0]} {NCI_FIRST[2]}", [NCI_FIRST[1]])


def test_typography_is_tidied_and_recorded(content: Content, tmp_path: Path) -> None:
    """Straight quotes become curly, a spaced hyphen an en dash; the lock marks the passage as tidied."""
    path = tmp_path / "pet.yaml"
    path.write_text(
        "id: pet\ntitle: PET\nsections:\n  - heading: Scans\n    passages:\n"
        "      - source: clevelandclinic-metastasis\n        section: Imaging tests\n        contains: [PET scan]\n",
        encoding="utf-8",
    )
    filled = select(load_sheet(path), content.corpus, None)
    (row,) = [r for r in passages(filled) if r.source != "sheet"]
    assert "\u201clight up\u201d" in row.text  # the source has "light up" in straight quotes
    assert row.tidied
    assert all('"' not in r.text and " - " not in r.text for f in content.fill_all() for r in passages(f))
    assert tidy('a "light up" test - it\'s quick') == "a \u201clight up\u201d test \u2013 it\u2019s quick"
