"""Importing captured pages: sources that match the originals, provenance recorded, broken pages refused."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest
from helpers.project import DATA, ROOT, SEEDS

from factsheets.content.importing import Given, Imported, import_page
from factsheets.content.sources import Document, load_corpus, load_document
from factsheets.errors import FactsheetsError

CAPTURE = DATA / "capture"
TODAY = dt.date(2026, 12, 6)
SHIPPED = ROOT / "sources"
# The public crawl the NCI sources were imported from, as a git mirror beside this clone (when there is one).
CRAWL = ROOT.parent / ".mirror" / "gautamgauri+suchi-cancer-bot" / "repo"
CRAWL_PAGE = re.compile(
    r"^https://github\.com/gautamgauri/suchi-cancer-bot/blob/(?P<commit>[0-9a-f]{40})/(?P<path>\S+)$"
)


def _blocks(document: Document) -> list[tuple[str, str, str, int]]:
    return [(s.address, b.kind, b.text, b.position) for s in document.sections for b in s.blocks]


def _without_import_day(text: str) -> str:
    return re.sub(r"\n  imported: '\d{4}-\d{2}-\d{2}'\n", "\n", text)


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the raw captures in ../shared/seeds are not beside this clone")
def test_seed_004_imports_as_the_hand_made_source_plus_its_provenance() -> None:
    """Seed 004 is the crawl's page: imported, it is today's nci-metastatic-cancer.md, word for word,
    with the provenance block added to the front matter."""
    seed = SEEDS / "004_c9f4825bd2f11f94.txt"
    imported = import_page(seed, SHIPPED, Given(captured_on=dt.date(2025, 12, 30)), TODAY)
    hand_made = (SHIPPED / "nci-metastatic-cancer.md").read_text(encoding="utf-8")
    front, body = hand_made.split("---\n", 2)[1:]
    provenance = (
        f"captured:\n  where: {imported.capture.path}\n  when: '2025-12-30'\n  format: crawl-markdown\n"
        f"  sha256: {imported.capture.sha256}\n  imported: '2026-12-06'\n"
    )
    assert imported.text == f"---\n{front}{provenance}---\n{body}"


def test_a_saved_page_gives_the_sources_headings_blocks_and_facts() -> None:
    """cancer.gov's page saved from the browser, furniture and all, reads as the hand-made source."""
    imported = import_page(CAPTURE / "metastatic-cancer.html", SHIPPED, Given(), TODAY)
    original = load_document(SHIPPED / "nci-metastatic-cancer.md")
    assert imported.document.text == original.text
    assert _blocks(imported.document) == _blocks(original)
    facts = ("id", "title", "publisher", "url", "license", "reviewed", "credit", "cancer_types")
    assert {k: getattr(imported.document.meta, k) for k in facts} == {k: getattr(original.meta, k) for k in facts}
    assert imported.document.meta.reviewed_as_printed == "Reviewed: December 30, 2025"  # the page's own line
    captured = imported.document.meta.captured
    assert captured is not None
    assert (captured.format, captured.imported) == ("saved-html", "2026-12-06")


def test_a_crawl_page_gives_the_shipped_source() -> None:
    shipped = load_document(SHIPPED / "nci-ascites.md")
    assert shipped.meta.captured is not None
    given = Given(captured_from=shipped.meta.captured.where, captured_on=dt.date(2025, 12, 30))
    imported = import_page(CAPTURE / "crawl-ascites.md", SHIPPED, given, TODAY)
    expected = (SHIPPED / "nci-ascites.md").read_text(encoding="utf-8")
    assert _without_import_day(imported.text) == _without_import_day(expected)
    assert imported.summary() == "12 sections: 12 paragraphs, 18 items, 0 rows"


def _imported_sources() -> list[Document]:
    return [d for d in load_corpus(SHIPPED).documents.values() if d.meta.captured is not None]


def test_the_imported_corpus_reads_cleanly() -> None:
    """Every imported source: sections with text, no page furniture, reviewed as the crawl says."""
    imported = _imported_sources()
    assert len(imported) >= 13
    for document in imported:
        assert document.sections[0].level == 1, document.id
        assert sum(len(s.blocks) for s in document.sections) >= 10, document.id
        for furniture in ("](", "![", "Credit:", "Enlarge", "Health Professional Version", "audio-described"):
            assert furniture not in document.text, (document.id, furniture)
        meta = document.meta
        assert (meta.license, meta.publisher, meta.credit) == (
            "public-domain",
            "National Cancer Institute",
            "National Cancer Institute (NCI)",
        )
        assert meta.review_every == "3 months"
        assert meta.reviewed_as_printed == f"lastReviewed {meta.reviewed}, reviewFrequency quarterly"


@pytest.mark.skipif(not CRAWL.is_dir(), reason="the crawl's git mirror is not beside this clone")
@pytest.mark.parametrize("document", _imported_sources(), ids=lambda d: d.id)
def test_an_imported_source_is_what_importing_its_page_again_gives(document: Document, tmp_path: Path) -> None:
    """Provenance that can be checked: the page at that commit and path has the recorded sha256 and
    imports, today, to the very file shipped."""
    captured = document.meta.captured
    assert captured is not None
    where = CRAWL_PAGE.match(captured.where)
    assert where, captured.where
    page = tmp_path / Path(where["path"]).name
    page.write_bytes(
        subprocess.run(
            ["git", "-C", str(CRAWL), "show", f"{where['commit']}:{where['path']}"], capture_output=True, check=True
        ).stdout
    )
    given = Given(captured_from=captured.where, captured_on=dt.date.fromisoformat(captured.when))
    again = import_page(page, SHIPPED, given, TODAY)
    assert again.capture.sha256 == captured.sha256
    assert _without_import_day(again.text) == _without_import_day(document.path.read_text(encoding="utf-8"))


def _refused(page: Path, given: Given | None = None) -> list[str]:
    with pytest.raises(FactsheetsError) as err:
        import_page(page, SHIPPED, given or Given(), TODAY)
    return [f"{p.message} Fix: {p.fix}" for p in err.value.problems]


def test_a_page_without_text_under_its_headings_is_refused() -> None:
    (problem,) = _refused(CAPTURE / "only-links.html")
    assert problem.startswith("no text under any heading: the page cannot be made into sections Fix: capture")


def test_what_the_page_does_not_say_is_asked_for(tmp_path: Path) -> None:
    """An unknown publisher's page without a licence link: its licence and its id must be given."""
    page = tmp_path / "page.html"
    page.write_text(
        (CAPTURE / "cc-by-page.html").read_text(encoding="utf-8").replace('rel="license"', 'rel="nofollow"'),
        encoding="utf-8",
    )
    problems = _refused(page)
    assert len(problems) == 2
    assert problems[0].startswith("the page does not state its licence Fix: give it with --license LICENCE")
    assert problems[1].startswith("no source id: the page's publisher is not one factsheets names ids for")
    assert import_page(page, SHIPPED, Given(id="example-tiredness", license="copyrighted"), TODAY).id == (
        "example-tiredness"
    )


def test_given_facts_are_checked() -> None:
    problems = _refused(CAPTURE / "crawl-ascites.md", Given(id="Bad Id", license="CC BY", url="http://x.org"))
    assert problems == [
        (
            "--license 'CC BY' is not a licence factsheets knows Fix: give --license as public-domain, copyrighted, "
            "or a Creative Commons licence by its SPDX id (CC-BY-4.0, CC-BY-SA-4.0, CC0-1.0)."
        ),
        "--url 'http://x.org' is not an https:// address Fix: give the page's address on the web.",
        "--id 'Bad Id' is not a source id Fix: use lower-case letters, digits and hyphens.",
    ]


def test_importing_a_page_writes_nothing(tmp_path: Path) -> None:
    """The library makes the source; the command writes it, and only once its impact is known."""
    imported: Imported = import_page(CAPTURE / "cc-by-page.html", tmp_path, Given(id="example-tiredness"), TODAY)
    assert imported.path == tmp_path / "example-tiredness.md"
    assert not imported.path.exists()
    assert imported.document.meta.license == "CC-BY-4.0"
