"""`check` lays out every variant on letter and A4, in standard and large print, with the personal box.

Fits are cached by input hash. A sheet that does not fit is named with the section where the
page runs out, and `--draft` writes its layout; one that fits only below 12 pt warns, and so does
a words_to_know term whose "Words to know" entry is what pushes a sheet over, or below 12 pt.
The probe sheets below were measured on the shipped look (Atkinson Hyperlegible, letter and A4).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from helpers.cli import cli
from helpers.pdfs import reader

from factsheets.project import Project, load_content
from factsheets.quality.fit import CACHE, check_fit

CLEVELAND = "clevelandclinic-metastasis"


def _sheet(sheet_id: str, parts: list[tuple[str, str]], words: tuple[str, ...] = ()) -> str:
    """A sheet of Cleveland Clinic sections (each narrowed by a YAML line, or not); words_to_know a line each."""
    text = f"id: {sheet_id}\ntitle: A sheet that only just fits\n"
    text += "words_to_know:\n" + "".join(f"  - {w}\n" for w in words) if words else ""
    text += "sections:\n"
    for n, (section, narrow) in enumerate(parts):
        text += f"  - heading: Part {n}\n    passages:\n      - source: {CLEVELAND}\n        section: {section}\n"
        text += f"        {narrow}\n" if narrow else ""
    return text


# Just over a page once the personal box is reserved: 'check' must catch it, as 'build' would.
TOO_LONG = _sheet(
    "too-long",
    [(s, "") for s in ("Imaging tests", "Tumor markers", "How do I take care of myself?",
                       "What questions should I ask my doctor?", "Is metastatic cancer curable?")],
)  # fmt: skip
# Fits letter only at 11 pt (A4 at 12.5). (Sized to the shared parts of issue 24, 13 mm shorter.)
ELEVEN = _sheet("eleven", [("Imaging tests", ""), ("Tumor markers", "items: [1, 2, 3, 4]")])
# 12.5 pt on letter; its Words to know entry for metastasis takes it to 11.5 pt.
TIPPED = _sheet("tipped", [("Imaging tests", ""), ("Tumor markers", "items: [1]")], ("metastasis",))
# 11 pt on letter and 12 on A4; with metastasis defined, letter overflows and A4 is down to 11 pt.
TIPPED_OVER = _sheet(
    "tipped-over",
    [("Imaging tests", ""), ("Tumor markers", "paragraphs: [1]\n        items: [1, 2, 3]")],
    ("metastasis",),
)


def _project(scratch: Path, *keep: str) -> Project:
    for sheet in (scratch / "sheets").glob("*.yaml"):
        if sheet.stem not in keep:
            sheet.unlink()
    return Project(scratch)


def _add(scratch: Path, text: str) -> None:
    sheet_id = text.split("\n", 1)[0].removeprefix("id: ")
    (scratch / "sheets" / f"{sheet_id}.yaml").write_text(text, encoding="utf-8")


def test_fits_are_cached_and_relaid_when_an_input_changes(scratch: Path) -> None:
    project = _project(scratch, "liver", "brain")

    def layouts() -> int:
        return check_fit(project, load_content(project)).laid_out

    assert layouts() == 8  # 2 sheets x 2 papers x standard and large print
    assert layouts() == 0  # nothing changed: all cached
    liver = scratch / "sheets" / "liver.yaml"
    liver.write_text(liver.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert layouts() == 4  # only the edited sheet, both papers, both prints
    (project.out_dir / CACHE).write_text("{not json", encoding="utf-8")
    assert layouts() == 8  # a damaged cache is not trusted
    data = json.loads((project.out_dir / CACHE).read_text(encoding="utf-8"))
    data["factsheets"] = "0.0.0"
    (project.out_dir / CACHE).write_text(json.dumps(data), encoding="utf-8")
    assert layouts() == 8  # nor one from another version


def test_trusted_layouts_are_not_laid_out_and_a_check_that_saves_nothing_leaves_no_cache(scratch: Path) -> None:
    """What a server's reload asks: only what changed since the content it serves, and nothing written."""
    project = _project(scratch, "liver", "brain")
    content = load_content(project)
    first = check_fit(project, content, save=False)
    assert (first.laid_out, first.problems, first.warnings) == (8, [], [])
    assert not (project.out_dir / CACHE).exists()
    liver = [key for key in first.keys if key.startswith("liver/")]
    assert check_fit(project, content, trusted=first.keys - set(liver), save=False).laid_out == len(liver) == 4


def test_check_fails_on_a_sheet_that_does_not_fit_naming_where_the_page_runs_out(scratch: Path) -> None:
    _project(scratch, "liver")
    _add(scratch, TOO_LONG)
    result = cli("check", cwd=scratch)
    assert result.code == 1
    assert "Traceback" not in result.err
    errors = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert [re.sub(r"\d+ pages, with about \d+ words", "N pages, with about N words", e) for e in errors] == [
        f"error: sheets/too-long.yaml:{line}: sheet 'too-long' ({variant}) does not fit on {budget} even at {pt} pt: "
        f"the page runs out in section '{part}' (line {line}); it needs N pages, with about N words left over "
        "Fix: shorten the sheet (drop or narrow a passage) or split it into two sheets; nothing was written "
        "(--draft FILE.pdf writes the overflowing layout, to see what to cut)."
        for variant, budget, pt, part, line in [
            ("general, letter", "one page", 11, "Part 3", 16),
            ("general, a4", "one page", 11, "Part 3", 16),
            ("general, large print, letter", "2 pages", 18, "Part 2", 12),
            ("general, large print, a4", "2 pages", 18, "Part 2", 12),
        ]
    ]
    assert "OK:" not in result.out


def test_check_draft_writes_every_layout_that_does_not_fit_stamped_on_every_page(scratch: Path) -> None:
    _project(scratch, "liver")
    _add(scratch, TOO_LONG)
    draft = scratch / "drafts" / "too-long.pdf"
    result = cli("check", "--draft", str(draft), cwd=scratch)
    assert result.code == 1
    assert f"Wrote {draft}: the layouts that do not fit, every page stamped 'DRAFT: " in result.err
    needs = [int(n) for n in re.findall(r"it needs (\d+) pages", result.err)]
    pages = [" ".join(page.extract_text().split()) for page in reader(draft.read_bytes()).pages]
    assert len(pages) == sum(needs)  # the four layouts that did not fit, one after another
    stamps = [re.search(r"DRAFT: does not fit, not for patients \(([^)]*)\): page (\d+) of (\d+)", p) for p in pages]
    assert all(stamps), pages
    assert [s[1] for s in stamps if s and s[2] == "1"] == [  # each layout's first page says which it is
        "too-long/general, letter, 11 pt",
        "too-long/general, a4, 11 pt",
        "too-long/general, letter, large print, 18 pt",
        "too-long/general, a4, large print, 18 pt",
    ]
    assert not any(p.name.startswith("too-long") for p in scratch.glob("out/**/*.pdf"))


def test_a_sheet_that_fits_only_at_11_pt_warns_and_fails_under_strict(scratch: Path) -> None:
    _project(scratch, "liver")
    _add(scratch, ELEVEN)
    result = cli("check", cwd=scratch)
    assert result.code == 0, result.err
    assert (
        "warning: sheets/eleven.yaml:1: sheet 'eleven' fits one page only below 12 pt, the size every shipped "
        "sheet keeps: general, letter at 11 pt Fix: narrow or drop a passage until it fits at 12 pt; 11.5 and "
        "11 pt are a last resort, not a size to print at."
    ) in result.err.splitlines()
    assert result.out.splitlines()[-1].startswith("OK: ")

    strict = cli("check", "--strict", cwd=scratch)
    assert strict.code == 1
    assert "error: sheets/eleven.yaml:1: sheet 'eleven' fits one page only below 12 pt" in strict.err
    last = strict.out.splitlines()[-1]
    assert last.startswith("FAILED under --strict: ")  # never "OK" when the exit code says it failed
    assert "listed above as errors" in last
    assert "OK" not in strict.out


def test_a_words_to_know_entry_that_takes_a_sheet_below_12_pt_is_named_at_its_line(scratch: Path) -> None:
    _project(scratch, "liver")
    _add(scratch, TIPPED)
    result = cli("check", cwd=scratch)
    assert result.code == 0, result.err
    warnings = [line for line in result.err.splitlines() if line.startswith("warning: sheets/tipped")]
    assert warnings == [
        (
            "warning: sheets/tipped.yaml:1: sheet 'tipped' fits one page only below 12 pt, the size every shipped "
            "sheet keeps: general, letter at 11.5 pt Fix: narrow or drop a passage until it fits at 12 pt; 11.5 and "
            "11 pt are a last resort, not a size to print at."
        ),
        (
            "warning: sheets/tipped.yaml:4: 'metastasis' in words_to_know is what takes sheet 'tipped' below 12 pt: "
            "without its entry it fits at 12 pt (general, letter) Fix: keep the word (check asks for it where the "
            "sheet uses it) and make room elsewhere: narrow a passage (items, paragraphs, drop_sentences) or drop one."
        ),
    ]
    again = cli("check", cwd=scratch)  # from the cache: the same words, no layout
    assert [line for line in again.err.splitlines() if line.startswith("warning: sheets/tipped")] == warnings
    assert "(0 laid out" in again.out


def test_a_words_to_know_entry_that_pushes_a_sheet_over_is_named_with_the_error(scratch: Path) -> None:
    _project(scratch, "liver")
    _add(scratch, TIPPED_OVER)
    result = cli("check", cwd=scratch)
    assert result.code == 1
    assert (
        "error: sheets/tipped-over.yaml:4: 'metastasis' in words_to_know is what pushes sheet 'tipped-over' "
        "(general, letter) over its page: without its entry it fits at 11 pt"
    ) in result.err
    assert (
        "warning: sheets/tipped-over.yaml:4: 'metastasis' in words_to_know is what takes sheet 'tipped-over' "
        "below 12 pt: without its entry it fits at 12 pt (general, a4)"
    ) in result.err
