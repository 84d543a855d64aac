"""`factsheets import`: a new page written at once; a new capture of a source only after its impact, with --accept."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.cli import cli
from helpers.pdfs import text_of
from helpers.project import DATA

CAPTURE = DATA / "capture"
BRAIN = ", or dizziness, when cancer has spread to the brain"  # NCI's list item BRAIN_SIGNS prints
# A sheet printing that item, approved: the shipped brain sheet now quotes NCI's brain tumour summary instead.
BRAIN_SIGNS = """id: brain-signs
title: Signs of cancer in the brain
sections:
  - heading: Signs to watch for
    passages:
      - source: nci-metastatic-cancer
        section: Symptoms of Metastatic Cancer
        items: [2]
"""
REVISED = ", dizziness, or confusion, when cancer has spread to the brain"


def test_a_new_page_is_written_and_reads_as_sections(scratch: Path) -> None:
    result = cli("import", str(CAPTURE / "cc-by-page.html"), "--id", "example-tiredness", cwd=scratch)
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == (
        "Wrote sources/example-tiredness.md: 'Tiredness and advanced cancer', 3 sections: 2 paragraphs, 4 items, 0 rows."
    )
    assert "captured on " in result.out
    assert "(the file's date; give --captured-on if it was captured earlier)" in result.out
    sections = cli("sections", "example-tiredness", cwd=scratch)
    assert sections.out.splitlines() == [
        "Tiredness and advanced cancer  [1 paragraphs, 0 items, 0 rows]",
        "What can help  [0 paragraphs, 4 items, 0 rows]",
        "When to talk to your care team  [1 paragraphs, 0 items, 0 rows]",
    ]


def test_a_page_that_cannot_be_a_source_is_refused_and_nothing_is_written(scratch: Path) -> None:
    before = sorted(p.name for p in (scratch / "sources").iterdir())
    result = cli("import", str(CAPTURE / "plain-text.txt"), cwd=scratch)
    assert result.code == 1
    assert "plain-text.txt:1: not a captured page factsheets can read" in result.err
    assert "Traceback" not in result.err
    assert sorted(p.name for p in (scratch / "sources").iterdir()) == before


def _revised_capture(tmp_path: Path) -> Path:
    """NCI's page saved again after NCI added confusion to the signs of cancer spread to the brain."""
    page = tmp_path / "metastatic-cancer-revised.html"
    text = (CAPTURE / "metastatic-cancer.html").read_text(encoding="utf-8")
    assert BRAIN in text
    page.write_text(text.replace(BRAIN, REVISED), encoding="utf-8")
    return page


def test_a_new_capture_of_a_source_shows_its_impact_and_waits_for_accept(scratch: Path, tmp_path: Path) -> None:
    source = scratch / "sources" / "nci-metastatic-cancer.md"
    lock = scratch / "sheets" / "approved.lock.json"
    (scratch / "sheets" / "brain-signs.yaml").write_text(BRAIN_SIGNS, encoding="utf-8")
    assert cli("lock", "brain-signs", "--approved-by", "Committee", cwd=scratch).code == 0
    source_before, lock_before = source.read_bytes(), lock.read_bytes()
    page = _revised_capture(tmp_path)

    shown = cli("import", str(page), "--captured-on", "2026-11-30", cwd=scratch)
    assert shown.code == 1
    assert "~ section 'Symptoms of Metastatic Cancer': 1 block changed, added or gone" in shown.out
    assert "brain-signs/general (its approval would be voided)" in shown.out
    assert f"now: headache, seizures{REVISED}" in shown.out
    assert "was not changed: the source 'nci-metastatic-cancer' is already there" in shown.err
    assert "--accept" in shown.err
    assert (source.read_bytes(), lock.read_bytes()) == (source_before, lock_before)

    accepted = cli("import", str(page), "--captured-on", "2026-11-30", "--accept", cwd=scratch)
    assert accepted.code == 0, accepted.err
    assert REVISED in source.read_text(encoding="utf-8")
    assert "Approval voided for brain-signs/general" in accepted.out
    assert list(json.loads(lock.read_text(encoding="utf-8")).get("voided", {})) == ["brain-signs/general"]

    again = cli("import", str(page), "--captured-on", "2026-11-30", cwd=scratch)
    assert (again.code, again.out.strip()) == (
        0,
        "sources/nci-metastatic-cancer.md already holds this capture; nothing written.",
    )


SHEET = """id: tiredness
title: Tiredness and advanced cancer
sections:
  - heading: What can help
    passages:
      - source: example-tiredness
        section: What can help
"""


def test_a_cc_by_source_is_credited_as_such_on_the_printed_sheet(scratch: Path, tmp_path: Path) -> None:
    """CC BY asks for the licence to be named and linked: the sheet's sources panel does both."""
    assert cli("import", str(CAPTURE / "cc-by-page.html"), "--id", "example-tiredness", cwd=scratch).code == 0
    (scratch / "sheets" / "tiredness.yaml").write_text(SHEET, encoding="utf-8")
    out = tmp_path / "tiredness.pdf"
    result = cli("render", "tiredness", "-o", str(out), cwd=scratch)
    assert result.code == 0, result.err
    text = text_of(out.read_bytes())
    assert "Plan your day so that you do the most important things" in text
    credit = "© Example Cancer Support. Excerpted under CC BY 4.0: creativecommons.org/licenses/by/4.0"
    assert "".join(credit.split()) in "".join(text.split())  # the link may wrap: extraction reads a space there
    assert "Public domain" not in text
