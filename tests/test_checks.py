"""Content safety: reading level offline, review dates on a fixed day, quoted words, approval lock, strict mode."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import nltk
import pytest
import textstat
from helpers import cli

from factsheets.checks import check_variant, quoted_words, review_due
from factsheets.clinic import Clinic
from factsheets.project import Project, load_content
from factsheets.readability import as_sentences
from factsheets.variant import Variant

BRAIN_SIGNS = (
    "If a tumor has metastasized to the brain, symptoms may include headache, dizziness, visual problems, "
    "speech problems, nausea, difficulty walking or confusion."
)
SMALL_SHEET = """id: small
title: A small sheet
sections:
  - heading: Signs
    passages:
      - source: clevelandclinic-metastasis
        section: What are the symptoms of metastatic cancer? > Brain metastasis
      - source: nci-metastatic-cancer
        section: Symptoms of Metastatic Cancer
        contains: [brain]
"""


@pytest.fixture(autouse=True)
def no_downloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """No network at run time: any attempt to download NLTK data fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("tried to download NLTK data")

    monkeypatch.setattr(nltk, "download", refuse)


@pytest.fixture
def small(scratch: Path) -> Path:
    (scratch / "sheets" / "small.yaml").write_text(SMALL_SHEET, encoding="utf-8")
    return scratch


def _filled(root: Path, sheet: str = "small"):
    return load_content(Project(root)).fill(Variant(sheet))


def test_grade_is_the_librarys_for_the_printed_text(small: Path) -> None:
    filled = _filled(small)
    result = check_variant(filled, Clinic(), dt.date(2026, 1, 1), None)
    printed = [BRAIN_SIGNS, "headache, seizures, or dizziness, when cancer has spread to the brain"]
    assert result.reading.flesch_kincaid == textstat.flesch_kincaid_grade(as_sentences(printed))
    assert result.reading.smog == textstat.smog_index(as_sentences(printed))
    assert result.reading.words == 33
    assert result.reading.words_per_sentence == 16.5


def test_nci_is_overdue_after_its_quarterly_due_date_and_not_before(content) -> None:
    nci = content.corpus["nci-metastatic-cancer"].meta
    assert nci.reviewed == "2025-12-30"
    assert review_due(nci) == dt.date(2026, 3, 30)
    filled = content.fill(Variant("bone"))
    on_time = check_variant(filled, Clinic(), dt.date(2026, 3, 30), None)
    late = check_variant(filled, Clinic(), dt.date(2026, 3, 31), None)
    message = "source nci-metastatic-cancer was due for review on 2026-03-30"
    assert message not in on_time.warnings
    assert message in late.warnings


def test_review_interval_defaults_to_three_years(content) -> None:
    assert review_due(content.corpus["clevelandclinic-metastasis"].meta) == dt.date(2024, 12, 20)
    assert review_due(content.corpus["cancernet-metastasis"].meta) == dt.date(2022, 3, 1)  # "03/2019"
    assert review_due(content.corpus["msk-metastatic-cancer-questions"].meta) is None  # states no date


def test_quoted_words_match_a_hand_count(small: Path) -> None:
    filled = _filled(small)
    assert quoted_words(filled) == {"clevelandclinic-metastasis": 22}  # NCI is public domain: not counted
    result = check_variant(filled, Clinic(quote_word_limit=20), dt.date(2026, 1, 1), None)
    assert "quotes 22 words from clevelandclinic-metastasis, over the clinic's limit of 20" in result.warnings


def test_changed_source_is_reported_passage_by_passage_and_lock_clears_it(scratch: Path) -> None:
    assert cli("lock", cwd=scratch).code == 0
    source = scratch / "sources" / "nci-metastatic-cancer.md"
    old = "- headache, seizures, or dizziness, when cancer has spread to the brain"
    source.write_text(source.read_text(encoding="utf-8").replace(old, old + " or spine"), encoding="utf-8")
    result = cli("check", "--strict", "--today", "2026-01-01", cwd=scratch)
    assert result.code == 1
    changed = sorted(
        line.split(": ")[1] for line in result.err.splitlines() if "differs from the approved lock file" in line
    )
    assert changed == ["brain/general"]
    assert (
        "    -[nci-metastatic-cancer > Symptoms of Metastatic Cancer] headache, seizures, or dizziness, when "
        "cancer has spread to the brain"
    ) in result.err.splitlines()
    assert (
        "    +[nci-metastatic-cancer > Symptoms of Metastatic Cancer] headache, seizures, or dizziness, when "
        "cancer has spread to the brain or spine"
    ) in result.err.splitlines()
    assert cli("lock", cwd=scratch).code == 0
    after = cli("check", "--today", "2026-01-01", cwd=scratch)
    assert after.code == 0
    assert "approved lock file" not in after.err


def test_report_lists_every_variant(scratch: Path) -> None:
    result = cli("report", "--today", "2026-01-01", cwd=scratch)
    assert result.code == 0, result.err
    html = (scratch / "out" / "report.html").read_text(encoding="utf-8")
    content = load_content(Project(scratch))
    for variant in content.variants():
        assert f'<th scope="row">{variant.key}</th>' in html
    assert html.count('<th scope="row">') == len(content.variants()) == 27


def test_strict_build_fails_on_warnings_and_writes_nothing(scratch: Path) -> None:
    result = cli("build", "--strict", cwd=scratch)
    assert result.code == 1
    assert "Not built:" in result.err
    assert "under --strict" in result.err
    assert not (scratch / "out").exists()


def test_shipped_lock_file_matches_the_shipped_content() -> None:
    result = cli("check")
    assert result.code == 0
    assert "approved lock file" not in result.err
    assert "not yet approved" not in result.err


def test_a_damaged_lock_file_is_a_located_error(scratch: Path) -> None:
    lock = scratch / "sheets" / "approved.lock.json"
    lock.write_text('{\n "bone/general": [\n<<<<<<< HEAD\n', encoding="utf-8")  # a merge conflict left in it
    result = cli("check", cwd=scratch)
    assert result.code == 1
    assert "Traceback" not in result.err
    assert result.err.startswith("error: sheets/approved.lock.json:3:1: the lock file is not valid JSON (")
    assert "Fix: undo the edit or merge that broke it, or run 'factsheets lock'" in result.err
