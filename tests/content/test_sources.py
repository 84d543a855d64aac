"""The corpus: every source loads, keeps its publisher's words, and bad front matter is refused."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from helpers.cli import cli
from helpers.project import DATA, ROOT, SEEDS

from factsheets.content.cancer_types import CANCER_TYPES
from factsheets.content.sources import load_corpus, load_document
from factsheets.errors import FactsheetsError


def _words(text: str) -> str:
    """Whitespace and Markdown link syntax folded away, for verbatim comparisons."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return " ".join(text.split())


def test_every_source_loads_with_required_facts() -> None:
    """The five written by hand from the seeds, and the NCI pages imported from the crawl (test_importing)."""
    corpus = load_corpus(ROOT / "sources")
    hand_made = [d.id for d in corpus.documents.values() if d.meta.captured is None]
    assert len(hand_made) == 5
    assert len(corpus.documents) >= 5 + 12
    for doc in corpus.documents.values():
        assert doc.meta.url.startswith("https://")
        assert doc.meta.licence.kind in ("public-domain", "copyrighted")
        assert doc.sections
        assert any(s.blocks for s in doc.sections)
    nci = corpus["nci-metastatic-cancer"]
    assert nci.meta.license == "public-domain"
    assert nci.meta.reviewed == "2025-12-30"
    assert nci.meta.review_every == "3 months"


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the raw captures in ../shared/seeds are not beside this clone")
def test_every_block_is_the_publishers_words_verbatim() -> None:
    """Each paragraph, list item and table cell of a hand-made source appears word for word in the
    captured page (an imported source is checked against its capture in test_importing)."""
    captured = " ".join(_words(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt"))
    corpus = load_corpus(ROOT / "sources")
    checked = 0
    for doc in (d for d in corpus.documents.values() if d.meta.captured is None):
        for section in doc.sections:
            restored = section.heading in doc.meta.restored_headings
            assert restored or section.heading in captured, f"{doc.id}: heading '{section.heading}' not in capture"
            for block in section.blocks:
                parts = block.cells if block.kind == "row" else (block.text,)
                for part in parts:
                    assert part in captured, f"{doc.id} line {block.line}: not verbatim: {part!r}"
                    checked += 1
    assert checked > 150


def test_page_furniture_left_out() -> None:
    text = " ".join(p.read_text(encoding="utf-8") for p in (ROOT / "sources").glob("*.md"))
    for furniture in (
        "Back to top",
        "800-525-2225",
        "Dear Julie",
        "Advertising on our site",
        "](/",
        "![",
        "Leave a Reply",
        "Cancer Answer Line",
    ):
        assert furniture not in text


def test_nci_table_rows_are_exactly_the_known_cancer_types() -> None:
    corpus = load_corpus(ROOT / "sources")
    (table,) = corpus["nci-metastatic-cancer"].find_sections("Common Sites Where Cancer Spreads")
    assert table.table_header == ("Cancer Type", "Main Sites of Metastasis")
    assert [b.cells[0] for b in table.blocks] == [t.label for t in CANCER_TYPES.values()]


def test_blocks_remember_their_source_line() -> None:
    doc = load_document(ROOT / "sources" / "nci-metastatic-cancer.md")
    lines = [
        " ".join(line.split())
        for line in (ROOT / "sources" / "nci-metastatic-cancer.md").read_text(encoding="utf-8").splitlines()
    ]
    for section in doc.sections:
        for block in section.blocks:
            assert (block.cells[0] if block.cells else block.text[:30]) in lines[block.line - 1]


def test_ambiguous_heading_found_by_path() -> None:
    doc = load_document(ROOT / "sources" / "clevelandclinic-metastasis.md")
    assert len(doc.find_sections("Bone metastasis")) == 2
    (treat,) = doc.find_sections("How is metastatic cancer treated? > Bone metastasis")
    assert "radiation therapy" in treat.blocks[0].text


@pytest.mark.parametrize("case", sorted(p.stem for p in (DATA / "bad_sources").glob("*.md")))
def test_bad_source_gets_its_message(case: str, tmp_path: Path) -> None:
    data = DATA / "bad_sources"
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    shutil.copytree(ROOT / "sheets", tmp_path / "sheets")
    shutil.copy(data / f"{case}.md", tmp_path / "sources" / f"{case}.md")
    result = cli("check", cwd=tmp_path)
    expected = (data / f"{case}.expected").read_text(encoding="utf-8").strip().splitlines()
    assert result.code == 1
    assert result.err.strip().splitlines() == expected
    assert "Traceback" not in result.err


def test_load_document_raises_with_all_problems(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_text("---\nid: x\ntitle: X\npublisher: P\nreviewed: null\n---\n# X\n\nText.\n", encoding="utf-8")
    with pytest.raises(FactsheetsError) as err:
        load_document(path)
    messages = [p.message for p in err.value.problems]
    assert messages == ["missing required key 'url'", "missing required key 'license'"]


def _blocks(path: Path) -> list[tuple[str, str, int, int]]:
    return [(s.address, b.text, b.line, b.position) for s in load_document(path).sections for b in s.blocks]


@pytest.mark.parametrize(("prefix", "newline"), [(b"\xef\xbb\xbf", b"\n"), (b"", b"\r\n")], ids=["bom", "crlf"])
def test_source_saved_by_windows_editors_loads_the_same(tmp_path: Path, prefix: bytes, newline: bytes) -> None:
    """A byte order mark used to hide the front matter ("no front matter")."""
    original = ROOT / "sources" / "nci-metastatic-cancer.md"
    copy = tmp_path / original.name
    copy.write_bytes(prefix + original.read_bytes().replace(b"\n", newline))
    assert load_document(copy).meta == load_document(original).meta
    assert _blocks(copy) == _blocks(original)


def test_link_to_a_file_outside_sources_is_refused_without_echoing_it(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "sources", tmp_path / "sources")
    secret = tmp_path / "private.md"
    secret.write_text("---\nroot:SECRET:19000:0:99999:7:::\n---\n# SECRET\n", encoding="utf-8")
    (tmp_path / "sources" / "evil.md").symlink_to(secret)
    with pytest.raises(FactsheetsError) as err:
        load_corpus(tmp_path / "sources")
    (problem,) = err.value.problems
    assert "evil.md is a link to a file outside sources/" in problem.message
    assert "SECRET" not in str(err.value)


def test_review_date_must_exist(tmp_path: Path) -> None:
    """'2025-13' has the shape of a month, but used to crash `check` when the review was due."""
    path = tmp_path / "x.md"
    path.write_text(
        "---\nid: x\ntitle: X\npublisher: P\nurl: https://x.org\nlicense: copyrighted\n"
        "reviewed: '2025-13'\n---\n# X\n\nText.\n",
        encoding="utf-8",
    )
    with pytest.raises(FactsheetsError) as err:
        load_document(path)
    (problem,) = err.value.problems
    assert (problem.message, problem.line) == ("reviewed: '2025-13' is not a real date (month must be in 1..12)", 7)


def test_long_table_is_numbered_in_linear_time(tmp_path: Path) -> None:
    """Each row used to recount the rows before it: 160,000 rows (1 MB) took 8 minutes."""
    path = tmp_path / "x.md"
    path.write_text(
        "---\nid: x\ntitle: X\npublisher: P\nurl: https://x.org\nlicense: copyrighted\nreviewed: null\n"
        "---\n# X\n\n| a | b |\n|---|---|\n" + "| x | y |\n" * 10_000,
        encoding="utf-8",
    )
    (section,) = load_document(path).sections
    assert [b.position for b in section.blocks] == list(range(1, 10_001))
