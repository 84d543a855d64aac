"""Reading captured pages: the crawl's Markdown with front matter, and saved HTML pages."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from helpers.project import DATA

from factsheets.content.capture import read_capture
from factsheets.content.extraction import page_markdown
from factsheets.errors import FactsheetsError

CAPTURE = DATA / "capture"


def test_a_crawl_page_says_what_it_is() -> None:
    """The crawl's front matter, in the project's terms: its 'public_domain', its quarterly review."""
    page = CAPTURE / "crawl-ascites.md"
    capture = read_capture(page)
    assert capture.format == "crawl-markdown"
    assert capture.sha256 == hashlib.sha256(page.read_bytes()).hexdigest()
    assert (capture.title, capture.url) == (  # the page's <title>, less ' - NCI'; the source takes its heading
        "Ascites and Cancer - Side Effects",
        "https://www.cancer.gov/about-cancer/treatment/side-effects/ascites",
    )
    assert (capture.publisher, capture.credit, capture.license) == (
        "National Cancer Institute",
        "National Cancer Institute (NCI)",
        "public-domain",
    )
    assert (capture.reviewed, capture.review_every) == ("2025-12-30", "3 months")
    assert capture.reviewed_as_printed == "lastReviewed 2025-12-30, reviewFrequency quarterly"


def test_the_crawls_losses_are_repaired() -> None:
    """The heading text the crawl moved below an empty '##', its repeated title, figures, cards and credits."""
    markdown = page_markdown(read_capture(CAPTURE / "crawl-ascites.md").content, "Ascites and Cancer")
    assert markdown.startswith("# Ascites and Cancer\n\n## What is ascites?\n\nAscites is the abnormal buildup")
    assert "- NCI" not in markdown
    for furniture in ("Credit:", "Terese Winslow", "Enlarge", "](", "![", "After finding the cause of ascites"):
        assert furniture not in markdown
    assert "buildup of fluid in your belly (abdomen)" in markdown  # a glossary pop-up, now its word


def test_crawl_table_rows_cut_short_by_a_row_span_are_joined(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "---\ntitle: Dyspnea - NCI\nurl: https://www.cancer.gov/x\nsource: NCI\nlicense: public_domain\n---\n\n"
        "# Dyspnea\n\nTable 1\n\n| If the dyspnea is caused by: | Then the treatment may be: |\n| --- | --- |\n"
        "| Tumor blocking the airways | • Radiation therapy. |\n| • Hormone therapy. |\n| • Chemotherapy. |\n"
        "| Pleural effusion | • Removal of the fluid. |\n",
        encoding="utf-8",
    )
    markdown = page_markdown(read_capture(page).content, "Dyspnea")
    assert markdown.splitlines()[-2:] == [
        "| Tumor blocking the airways | • Radiation therapy. • Hormone therapy. • Chemotherapy. |",
        "| Pleural effusion | • Removal of the fluid. |",
    ]
    assert "Table 1" not in markdown


def test_a_saved_page_says_what_it_is() -> None:
    """Its address from the canonical link, the publisher and its terms from the address, its review line."""
    capture = read_capture(CAPTURE / "metastatic-cancer.html")
    assert capture.format == "saved-html"
    assert (capture.title, capture.url) == (
        "Metastatic Cancer: When Cancer Spreads",
        "https://www.cancer.gov/types/metastatic-cancer",
    )
    assert (capture.publisher, capture.license) == ("National Cancer Institute", "public-domain")
    assert (capture.reviewed, capture.reviewed_as_printed) == ("2025-12-30", "Reviewed: December 30, 2025")
    assert capture.notes == ()


def test_a_saved_page_keeps_its_text_and_nothing_around_it() -> None:
    markdown = page_markdown(read_capture(CAPTURE / "metastatic-cancer.html").content, "")
    for furniture in (
        "Skip to main content",
        "official website",
        "Cancer Types",  # the menu and the breadcrumbs
        "Facebook",
        "The Challenges of Living",  # the card
        "Metastasis: How Cancer Spreads",  # the video's title and caption
        "audio-described",
        "Terese Winslow",
        "In metastasis, cancer cells break away",  # the figure's caption
        "Reviewed:",
        "1-800-4-CANCER",
    ):
        assert furniture not in markdown, furniture
    assert "is called metastasis." in markdown


def test_a_saved_page_states_a_creative_commons_licence_by_its_link() -> None:
    capture = read_capture(CAPTURE / "cc-by-page.html")
    assert (capture.publisher, capture.license, capture.credit) == ("Example Cancer Support", "CC-BY-4.0", None)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("plain-text.txt", "not a captured page factsheets can read"),
        ("unclosed-front-matter.md", "the front matter has no closing '---' line"),
    ],
)
def test_what_is_not_a_captured_page_is_refused_with_the_reason(name: str, message: str) -> None:
    with pytest.raises(FactsheetsError) as err:
        read_capture(CAPTURE / name)
    (problem,) = err.value.problems
    assert problem.message.startswith(message)
    assert problem.file == CAPTURE / name
    assert problem.fix


def test_a_folder_or_a_missing_file_is_refused(tmp_path: Path) -> None:
    for path, what in ((tmp_path, "is a folder"), (tmp_path / "gone.html", "does not exist")):
        with pytest.raises(FactsheetsError) as err:
            read_capture(path)
        assert what in str(err.value)
